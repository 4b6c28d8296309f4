using System.ClientModel;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Embeddings;
using OpenAI.Responses;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests;

/// <summary>options.AddZespan() on an OpenAIClient: Responses and embeddings recorded through the pipeline policy.</summary>
public sealed class OpenAIOptionsPolicyTests : IClassFixture<FakeServersFixture>
{
    private readonly FakeServersFixture _servers;

    public OpenAIOptionsPolicyTests(FakeServersFixture servers) => _servers = servers;

    private OpenAIClient NewClient(ZespanTracer tracer) =>
        new(new ApiKeyCredential("sk-fake"), new OpenAIClientOptions { Endpoint = _servers.OpenAI.Endpoint }.AddZespan(tracer));

    [Fact]
    public async Task ResponsesCreate_IsRecorded_WithUsageAndOutput()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        ResponseResult response;
        using (Zespan.Context(sessionId: session))
        {
            response = await NewClient(tracer).GetResponsesClient().CreateResponseAsync("gpt-4o", "Say hello to the Responses API");
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("responses.create", span["name"]!.GetValue<string>());
        Assert.Equal("gpt-4o-2024-08-06", span["model"]!.GetValue<string>());
        Assert.Equal(response.Usage.InputTokenCount, span["usage"]!["inputTokens"]!.GetValue<long>());
        Assert.Equal(response.Usage.OutputTokenCount, span["usage"]!["outputTokens"]!.GetValue<long>());
        Assert.Equal(response.Usage.InputTokenDetails.CachedTokenCount, span["usage"]!["cachedInputTokens"]!.GetValue<long>());
        Assert.Equal(response.Usage.OutputTokenDetails.ReasoningTokenCount, span["usage"]!["reasoningTokens"]!.GetValue<long>());
        Assert.Contains(response.GetOutputText(), span["output"]!.ToJsonString());
    }

    [Fact]
    public async Task ResponsesStreaming_IsRecorded_FromTheCompletedEvent()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        ResponseResult? completed = null;
        using (Zespan.Context(sessionId: session))
        {
            await foreach (StreamingResponseUpdate update in await NewClient(tracer).GetResponsesClient().CreateResponseStreamingAsync("gpt-4o-mini", "Stream from the Responses API"))
            {
                if (update is StreamingResponseCompletedUpdate done)
                {
                    completed = done.Response;
                }
            }
        }

        Assert.NotNull(completed);
        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("gpt-4o-mini-2024-07-18", span["model"]!.GetValue<string>());
        Assert.Equal(completed.Usage.InputTokenCount, span["usage"]!["inputTokens"]!.GetValue<long>());
        Assert.True(span["metadata"]!["timeToFirstTokenMs"]!.GetValue<double>() >= 0);
    }

    [Fact]
    public async Task EmbeddingsCreate_IsRecorded_WithInputTokens_AndNoVectors()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        OpenAIEmbeddingCollection embeddings;
        using (Zespan.Context(sessionId: session))
        {
            embeddings = await NewClient(tracer).GetEmbeddingClient("text-embedding-3-small").GenerateEmbeddingsAsync(["first text", "second text"]);
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("embeddings.create", span["name"]!.GetValue<string>());
        Assert.Equal(embeddings.Usage.InputTokenCount, span["usage"]!["inputTokens"]!.GetValue<long>());
        Assert.Equal(0, span["usage"]!["outputTokens"]!.GetValue<long>());
        Assert.Equal(2, span["output"]!["embeddings"]!.GetValue<int>());
        Assert.Equal(8, span["output"]!["dimensions"]!.GetValue<int>());
    }

    [Fact]
    public async Task ChatThroughOpenAIClientOptions_IsRecordedOnce()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        using (Zespan.Context(sessionId: session))
        {
            await NewClient(tracer).GetChatClient("gpt-4o").CompleteChatAsync([new OpenAI.Chat.UserChatMessage("via options")]);
        }

        Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
    }
}
