using System.ClientModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;
using ZespanSdk.OpenAIInstrumentation;
using ZespanSdk.Tests.Infrastructure;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ZespanSdk.Tests;

/// <summary>
/// A response without usage (a proxy that strips it, a provider that reports none) is recorded with unknown usage:
/// no usage object, which the server stores as null and counts as unpriced. Never zero tokens, which would cost $0.
/// </summary>
public sealed class NoUsageTests : IClassFixture<FakeServersFixture>
{
    private readonly FakeServersFixture _servers;

    public NoUsageTests(FakeServersFixture servers) => _servers = servers;

    private OpenAIClientOptions Options() => new() { Endpoint = _servers.OpenAI.Endpoint };

    private static void AssertUnknownUsage(JsonObject span)
    {
        Assert.Equal("llm", span["kind"]!.GetValue<string>());
        Assert.Equal("ok", span["status"]!.GetValue<string>());
        Assert.Null(span["usage"]);
    }

    [Fact]
    public async Task WrappedChat_WithoutUsage_RecordsUnknownUsage()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        ChatClient chat = Zespan.Wrap(new ChatClient("gpt-4o", new ApiKeyCredential("sk-fake"), Options()), tracer);
        string session = FakeServersFixture.NewSessionId();

        using (Zespan.Context(sessionId: session))
        {
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("hello [nousage]")]);
            Assert.Null(completion.Usage);
            await foreach (StreamingChatCompletionUpdate _ in chat.CompleteChatStreamingAsync([new UserChatMessage("stream [nousage]")]))
            {
            }
        }

        JsonObject[] spans = await _servers.SpansOfSessionAsync(tracer, session);
        Assert.Equal(2, spans.Length);
        Assert.All(spans, AssertUnknownUsage);
    }

    [Fact]
    public async Task ResponsesWithoutUsage_RecordsUnknownUsage()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        var client = new OpenAIClient(new ApiKeyCredential("sk-fake"), Options().AddZespan(tracer));
        string session = FakeServersFixture.NewSessionId();

        using (Zespan.Context(sessionId: session))
        {
            await client.GetResponsesClient().CreateResponseAsync("gpt-4o", "no usage here [nousage]");
        }

        AssertUnknownUsage(Assert.Single(await _servers.SpansOfSessionAsync(tracer, session)));
    }

    [Fact]
    public async Task ChatClientMiddleware_WithoutUsage_RecordsUnknownUsage()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        IChatClient client = new ChatClient("gpt-4o", new ApiKeyCredential("sk-fake"), Options())
            .AsIChatClient().AsBuilder().UseZespan(tracer).Build();
        IChatClient countless = new CountlessUsageChatClient().AsBuilder().UseZespan(tracer).Build();
        string session = FakeServersFixture.NewSessionId();

        using (Zespan.Context(sessionId: session))
        {
            await client.GetResponseAsync("meai [nousage]");
            await countless.GetResponseAsync("usage object without counts");
        }

        JsonObject[] spans = await _servers.SpansOfSessionAsync(tracer, session);
        Assert.Equal(2, spans.Length);
        Assert.All(spans, AssertUnknownUsage);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"total_tokens\": 12}")]
    [InlineData("null")]
    public void UsageObjectWithoutTokenCounts_IsUnknown(string json) =>
        Assert.Null(OpenAIUsage.From(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void UsageWithOnlyInputTokens_KeepsTheKnownCount()
    {
        var usage = OpenAIUsage.From(JsonDocument.Parse("{\"input_tokens\": 7}").RootElement);
        Assert.Equal(7, usage!.InputTokens);
        Assert.Equal(0, usage.OutputTokens);
    }

    /// <summary>A provider that returns a UsageDetails object with no counts in it.</summary>
    private sealed class CountlessUsageChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new MeaiChatMessage(ChatRole.Assistant, "answer")) { ModelId = "countless-1", Usage = new UsageDetails() });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
