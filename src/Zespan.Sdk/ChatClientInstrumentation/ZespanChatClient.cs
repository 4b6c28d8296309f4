using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ZespanSdk.Spans;

namespace ZespanSdk;

/// <summary>
/// Microsoft.Extensions.AI middleware that records every call to the <see cref="IChatClient"/> it wraps, whatever
/// the provider, streaming included. Add it with <c>builder.UseZespan()</c>.
/// </summary>
public sealed class ZespanChatClient : DelegatingChatClient
{
    /// <summary>Span name for calls through IChatClient (the provider's own method is not visible at this layer).</summary>
    public const string SpanName = "chat";

    private readonly ZespanTracer? _tracer;

    /// <param name="tracer">Where spans go; the global <see cref="Zespan.Tracer"/> (looked up per call) when null.</param>
    public ZespanChatClient(IChatClient innerClient, ZespanTracer? tracer = null)
        : base(innerClient) => _tracer = tracer;

    private ZespanTracer Tracer => _tracer ?? Zespan.Tracer;

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        LlmSpan? span = StartSpan(ref messages, options);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            span?.EndError($"{ex.GetType().Name}: {ex.Message}");
            throw;
        }

        if (span is not null)
        {
            EndWithResponse(span, response, streamed: false, completed: true);
        }
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        LlmSpan? span = StartSpan(ref messages, options);
        if (span is null)
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
            yield break;
        }

        var updates = new List<ChatResponseUpdate>();
        bool completed = false;
        IAsyncEnumerator<ChatResponseUpdate> enumerator =
            base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        completed = true;
                        break;
                    }
                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    span.EndError($"{ex.GetType().Name}: {ex.Message}");
                    throw;
                }

                if (update.Contents.Any(c => c is TextContent { Text.Length: > 0 } or FunctionCallContent))
                {
                    span.MarkFirstToken();
                }
                span.CountStreamChunk();
                updates.Add(update);
                yield return update;
            }
        }
        finally
        {
            // Runs also when the caller stops early: the span must end either way.
            await enumerator.DisposeAsync().ConfigureAwait(false);
            if (!span.HasEnded)
            {
                EndWithResponse(span, SafeCombine(updates), streamed: true, completed);
            }
        }
    }

    private LlmSpan? StartSpan(ref IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        try
        {
            LlmSpan? span = LlmSpan.Start(Tracer, SpanName, Metadata?.ProviderName);
            if (span is null)
            {
                return null;
            }

            // The caller's history list usually grows after the call; record it as it was sent.
            ChatMessage[] sent = messages as ChatMessage[] ?? messages.ToArray();
            messages = sent;
            span.RequestedModel = options?.ModelId ?? Metadata?.DefaultModelId;
            if (span.CaptureContent)
            {
                span.Input = JsonSerializer.SerializeToNode(sent, AIJsonUtilities.DefaultOptions);
            }
            AddParameters(span, options);
            return span;
        }
        catch
        {
            return null;
        }
    }

    private ChatClientMetadata? Metadata => InnerClient.GetService<ChatClientMetadata>();

    private static void AddParameters(LlmSpan span, ChatOptions? options)
    {
        if (options is null)
        {
            return;
        }
        if (options.Temperature is { } temperature)
        {
            span.CallMetadata["temperature"] = temperature;
        }
        if (options.TopP is { } topP)
        {
            span.CallMetadata["top_p"] = topP;
        }
        if (options.MaxOutputTokens is { } maxOutputTokens)
        {
            span.CallMetadata["max_output_tokens"] = maxOutputTokens;
        }
        if (options.Tools is { Count: > 0 } tools)
        {
            span.CallMetadata["tools"] = string.Join(",", tools.Select(t => t.Name));
        }
    }

    private static ChatResponse? SafeCombine(List<ChatResponseUpdate> updates)
    {
        try
        {
            return updates.ToChatResponse();
        }
        catch
        {
            return null;
        }
    }

    private static void EndWithResponse(LlmSpan span, ChatResponse? response, bool streamed, bool completed)
    {
        try
        {
            if (response is not null)
            {
                span.ResponseModel = response.ModelId;
                // Usage without counts is unknown (unpriced), never zero tokens ($0).
                if (response.Usage is { } usage && (usage.InputTokenCount is not null || usage.OutputTokenCount is not null))
                {
                    span.Usage = ChatUsage.From(usage);
                }
                if (span.CaptureContent)
                {
                    span.Output = response.Messages.Count == 1
                        ? JsonSerializer.SerializeToNode(response.Messages[0], AIJsonUtilities.DefaultOptions)
                        : JsonSerializer.SerializeToNode(response.Messages, AIJsonUtilities.DefaultOptions);
                }
                if (response.FinishReason is { } finishReason)
                {
                    span.CallMetadata["finishReason"] = finishReason.Value;
                }
            }
            if (streamed)
            {
                span.CallMetadata["stream"] = true;
                if (!completed)
                {
                    span.MarkStreamEndedEarly();
                }
            }
        }
        catch
        {
            // Keep whatever was gathered; the span is still worth recording.
        }
        span.EndOk();
    }
}
