using System.ClientModel;
using Anthropic;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;
using ZespanSdk.Tests.Fakes;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests;

/// <summary>builder.UseZespan() over the real OpenAI IChatClient adapter, talking to the fake OpenAI server.</summary>
public sealed class ChatClientMiddlewareTests : IClassFixture<FakeServersFixture>
{
    private readonly FakeServersFixture _servers;

    public ChatClientMiddlewareTests(FakeServersFixture servers) => _servers = servers;

    private IChatClient NewClient(ZespanTracer tracer, string model = "gpt-4o") =>
        new OpenAI.Chat.ChatClient(model, new ApiKeyCredential("sk-fake"), new OpenAIClientOptions { Endpoint = _servers.OpenAI.Endpoint })
            .AsIChatClient()
            .AsBuilder()
            .UseZespan(tracer)
            .Build();

    [Fact]
    public async Task GetResponseAsync_RecordsProviderModelUsageAndContent()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        ChatResponse response;
        using (Zespan.Context(userId: "meai-user", sessionId: session))
        {
            response = await NewClient(tracer).GetResponseAsync("Tell me about the moon", new ChatOptions { Temperature = 0.5f });
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("llm", span["kind"]!.GetValue<string>());
        Assert.Equal("openai", span["provider"]!.GetValue<string>());
        Assert.Equal(response.ModelId, span["model"]!.GetValue<string>());
        Assert.Equal("meai-user", span["userId"]!.GetValue<string>());
        AssertUsage(response.Usage!, span["usage"]!);
        Assert.Contains("Tell me about the moon", span["input"]!.ToJsonString());
        Assert.Contains(response.Text, span["output"]!.ToJsonString());
        Assert.Equal(0.5, span["metadata"]!["temperature"]!.GetValue<double>(), 3);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_PassesUpdatesThrough_AndRecordsUsage()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        var updates = new List<ChatResponseUpdate>();
        using (Zespan.Context(sessionId: session))
        {
            await foreach (ChatResponseUpdate update in NewClient(tracer).GetStreamingResponseAsync("Stream about the sea"))
            {
                updates.Add(update);
            }
        }

        ChatResponse combined = updates.ToChatResponse();
        Assert.Equal("Echo: Stream about the sea", combined.Text);
        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        AssertUsage(combined.Usage!, span["usage"]!);
        Assert.True(span["metadata"]!["timeToFirstTokenMs"]!.GetValue<double>() >= 0);
        Assert.Contains("Echo: Stream about the sea", span["output"]!.ToJsonString());
    }

    [Fact]
    public async Task Streaming_CallerStopsEarly_SpanStillEnds()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        using (Zespan.Context(sessionId: session))
        {
            await foreach (ChatResponseUpdate update in NewClient(tracer).GetStreamingResponseAsync("a b c d e f g h [chunkdelay:20]"))
            {
                if (update.Text.Length > 0)
                {
                    break;
                }
            }
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("ok", span["status"]!.GetValue<string>());
        Assert.True(span["metadata"]!["streamEndedEarly"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ProviderError_IsRecorded_AndRethrown()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        using (Zespan.Context(sessionId: session))
        {
            await Assert.ThrowsAsync<ClientResultException>(() => NewClient(tracer).GetResponseAsync("[error:400]"));
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("error", span["status"]!.GetValue<string>());
        Assert.Contains("ClientResultException", span["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnyProvider_IsRecorded_NotOnlyOpenAI()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        IChatClient client = new ScriptedChatClient().AsBuilder().UseZespan(tracer).Build();

        using (Zespan.Context(sessionId: session))
        {
            await client.GetResponseAsync("hi");
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("scripted", span["provider"]!.GetValue<string>());
        Assert.Equal("scripted-model-1", span["model"]!.GetValue<string>());
        Assert.Equal(11, span["usage"]!["inputTokens"]!.GetValue<long>());
        Assert.Equal(4, span["usage"]!["cachedInputTokens"]!.GetValue<long>());
    }

    /// <summary>
    /// The official Anthropic library's adapter: UsageDetails has no place for prompt-cache writes, so the adapter puts
    /// them in AdditionalCounts; the span carries them as their own count, part of input, for the server to price.
    /// </summary>
    [Fact]
    public async Task AnthropicAdapter_CacheReadsAndWrites_AreRecordedAsPartsOfInput()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        var anthropic = new AnthropicClient { ApiKey = "sk-ant-fake", BaseUrl = _servers.OpenAI.BaseUrl.ToString().TrimEnd('/') };
        IChatClient client = anthropic.AsIChatClient("claude-sonnet-4-5-20250929").AsBuilder().UseZespan(tracer).Build();

        using (Zespan.Context(sessionId: session))
        {
            await client.GetResponseAsync("Summarise the refund policy");
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        FakeUsage sent = FakeUsage.For("Summarise the refund policy", "Echo: Summarise the refund policy");
        var (read, written) = FakeOpenAIServer.AnthropicCache(sent);
        Assert.Equal("claude-sonnet-4-5-20250929", span["model"]!.GetValue<string>());
        JsonNode usage = span["usage"]!;
        Assert.Equal((sent.PromptTokens, read, written, sent.CompletionTokens), (usage["inputTokens"]!.GetValue<long>(),
            usage["cachedInputTokens"]!.GetValue<long>(), usage["cacheCreationInputTokens"]!.GetValue<long>(), usage["outputTokens"]!.GetValue<long>()));
        Assert.True(written > 0 && read > 0);
    }

    private static void AssertUsage(UsageDetails expected, JsonNode recorded)
    {
        Assert.Equal(expected.InputTokenCount, recorded["inputTokens"]!.GetValue<long>());
        Assert.Equal(expected.OutputTokenCount, recorded["outputTokens"]!.GetValue<long>());
        Assert.Equal(expected.CachedInputTokenCount ?? 0, recorded["cachedInputTokens"]!.GetValue<long>());
        Assert.Equal(expected.ReasoningTokenCount ?? 0, recorded["reasoningTokens"]!.GetValue<long>());
        Assert.True(expected.InputTokenCount > 0);
    }

    /// <summary>A non-OpenAI provider, to show the middleware does not depend on OpenAI types.</summary>
    private sealed class ScriptedChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "scripted answer"))
            {
                ModelId = "scripted-model-1",
                Usage = new UsageDetails { InputTokenCount = 11, OutputTokenCount = 3, CachedInputTokenCount = 4 },
            });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, "scripted-model-1") : null;

        public void Dispose()
        {
        }
    }
}
