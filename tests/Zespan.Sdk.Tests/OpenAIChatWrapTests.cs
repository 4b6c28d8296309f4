using System.ClientModel;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk.Tests.Fakes;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests;

/// <summary>Zespan.Wrap(ChatClient) against the real OpenAI library talking to the fake OpenAI server.</summary>
public sealed class OpenAIChatWrapTests : IClassFixture<FakeServersFixture>
{
    private readonly FakeServersFixture _servers;

    public OpenAIChatWrapTests(FakeServersFixture servers) => _servers = servers;

    private ChatClient NewChatClient(string model = "gpt-4o") =>
        new(model, new ApiKeyCredential("sk-fake"), new OpenAIClientOptions { Endpoint = _servers.OpenAI.Endpoint });

    [Fact]
    public async Task CompleteChatAsync_RecordsModelUsageInputAndOutput()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        ChatClient chat = Zespan.Wrap(NewChatClient(), tracer);
        string session = FakeServersFixture.NewSessionId();

        ChatCompletion completion;
        using (Zespan.Context(userId: "user-1", sessionId: session, tags: ["beta"], metadata: new Dictionary<string, object?> { ["feature"] = "support-chat" }))
        {
            completion = await chat.CompleteChatAsync(
                [new SystemChatMessage("Be brief."), new UserChatMessage("What is the capital of France?")],
                new ChatCompletionOptions { Temperature = 0.2f });
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("llm", span["kind"]!.GetValue<string>());
        Assert.Equal("chat.completions.create", span["name"]!.GetValue<string>());
        Assert.Equal("openai", span["provider"]!.GetValue<string>());
        Assert.Equal(completion.Model, span["model"]!.GetValue<string>());
        Assert.Equal("gpt-4o-2024-08-06", completion.Model);
        Assert.Equal("user-1", span["userId"]!.GetValue<string>());
        Assert.Equal("ok", span["status"]!.GetValue<string>());
        Assert.Null(span["parentId"]);
        Assert.Equal(["beta"], span["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("support-chat", span["metadata"]!["feature"]!.GetValue<string>());
        Assert.Equal(0.2, span["metadata"]!["temperature"]!.GetValue<double>(), 3);

        AssertUsageMatches(completion.Usage, span["usage"]!);
        Assert.Equal("What is the capital of France?", span["input"]![1]!["content"]!.GetValue<string>());
        Assert.Equal(completion.Content[0].Text, span["output"]!["content"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{16,}$", span["id"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(span["endTime"]!.GetValue<string>()) >= DateTimeOffset.Parse(span["startTime"]!.GetValue<string>()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", span["startTime"]!.GetValue<string>());
    }

    [Fact]
    public async Task CompleteChat_Synchronous_IsRecordedToo()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        ChatClient chat = Zespan.Wrap(NewChatClient("gpt-4o-mini"), tracer);
        string session = FakeServersFixture.NewSessionId();

        ChatCompletion completion;
        using (Zespan.Context(sessionId: session))
        {
            completion = chat.CompleteChat([new UserChatMessage("sync hello")]);
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("gpt-4o-mini-2024-07-18", span["model"]!.GetValue<string>());
        AssertUsageMatches(completion.Usage, span["usage"]!);
    }

    [Fact]
    public async Task WrappedClient_KeepsModelAndEndpointOfTheOriginal()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        ChatClient original = NewChatClient("gpt-4o-mini");
        ChatClient wrapped = Zespan.Wrap(original, tracer);

        Assert.Equal(original.Model, wrapped.Model);
        Assert.Equal(original.Endpoint, wrapped.Endpoint);
        Assert.IsType<ChatClient>(wrapped);
    }

    [Fact]
    public async Task CompleteChatStreamingAsync_PassesEveryUpdateUnchanged_AndRecordsUsageAndTimeToFirstToken()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        ChatMessage[] prompt = [new UserChatMessage("Stream me a sentence about rivers please")];

        List<string> plain = await CollectUpdatesAsync(NewChatClient(), prompt);
        List<string> wrapped;
        ChatTokenUsage? usage = null;
        var text = new System.Text.StringBuilder();
        using (Zespan.Context(sessionId: session))
        {
            wrapped = new();
            await foreach (StreamingChatCompletionUpdate update in Zespan.Wrap(NewChatClient(), tracer).CompleteChatStreamingAsync(prompt))
            {
                wrapped.Add(Describe(update));
                usage ??= update.Usage;
                foreach (ChatMessageContentPart part in update.ContentUpdate)
                {
                    text.Append(part.Text);
                }
            }
        }

        Assert.Equal(plain, wrapped);
        Assert.NotNull(usage);
        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        AssertUsageMatches(usage, span["usage"]!);
        Assert.Equal(text.ToString(), span["output"]!["content"]!.GetValue<string>());
        Assert.Equal("gpt-4o-2024-08-06", span["model"]!.GetValue<string>());
        Assert.True(span["metadata"]!["timeToFirstTokenMs"]!.GetValue<double>() >= 0);
        Assert.True(span["metadata"]!["stream"]!.GetValue<bool>());
        Assert.Null(span["metadata"]!["streamEndedEarly"]);
        Assert.True(span["metadata"]!["chunks"]!.GetValue<int>() > 2, "every event counted");
    }

    [Fact]
    public async Task CompleteChatStreaming_Synchronous_RecordsUsage()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        ChatTokenUsage? usage = null;
        int updates = 0;
        using (Zespan.Context(sessionId: session))
        {
            foreach (StreamingChatCompletionUpdate update in Zespan.Wrap(NewChatClient(), tracer).CompleteChatStreaming([new UserChatMessage("sync stream")]))
            {
                updates++;
                usage ??= update.Usage;
            }
        }

        Assert.True(updates > 2);
        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        AssertUsageMatches(usage!, span["usage"]!);
    }

    [Fact]
    public async Task Streaming_CallerStopsEarly_SpanStillEnds()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        using (Zespan.Context(sessionId: session))
        {
            await foreach (StreamingChatCompletionUpdate update in Zespan.Wrap(NewChatClient(), tracer)
                .CompleteChatStreamingAsync([new UserChatMessage("one two three four five six seven eight [chunkdelay:20]")]))
            {
                if (update.ContentUpdate.Count > 0 && update.ContentUpdate[0].Text.Length > 0)
                {
                    break;
                }
            }
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("ok", span["status"]!.GetValue<string>());
        Assert.True(span["metadata"]!["streamEndedEarly"]!.GetValue<bool>());
        Assert.True(span["metadata"]!["timeToFirstTokenMs"]!.GetValue<double>() >= 0);
    }

    [Fact]
    public async Task Streaming_CallerStopsWhileAnEventIsHalfReceived_SpanStillEnds()
    {
        // On a busy machine one read often returns several events and the start of the next; the caller can stop
        // right then. The half event must not cost the span (it used to, when it was parsed at disposal).
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        string? firstText = null;
        using (Zespan.Context(sessionId: session))
        {
            await foreach (StreamingChatCompletionUpdate update in Zespan.Wrap(NewChatClient(), tracer)
                .CompleteChatStreamingAsync([new UserChatMessage("stop me mid-event [stallmidevent]")]))
            {
                if (update.ContentUpdate.Count > 0 && update.ContentUpdate[0].Text.Length > 0)
                {
                    firstText = update.ContentUpdate[0].Text;
                    break;
                }
            }
        }

        Assert.Equal("Echo:", firstText);
        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("ok", span["status"]!.GetValue<string>());
        Assert.True(span["metadata"]!["streamEndedEarly"]!.GetValue<bool>());
        Assert.Equal("Echo:", span["output"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task ErrorResponse_IsRecordedAsError_AndTheLibraryExceptionReachesTheCaller()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        ClientResultException thrown;
        using (Zespan.Context(sessionId: session))
        {
            thrown = await Assert.ThrowsAsync<ClientResultException>(() =>
                Zespan.Wrap(NewChatClient(), tracer).CompleteChatAsync([new UserChatMessage("please fail [error:400]")]));
        }

        Assert.Equal(400, thrown.Status);
        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("error", span["status"]!.GetValue<string>());
        Assert.Contains("the fake server was asked to refuse", span["error"]!.GetValue<string>());
        Assert.Contains("400", span["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task StreamingErrorResponse_IsRecordedAsError_AndRethrown()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();

        using (Zespan.Context(sessionId: session))
        {
            ClientResultException thrown = await Assert.ThrowsAsync<ClientResultException>(async () =>
            {
                await foreach (StreamingChatCompletionUpdate _ in Zespan.Wrap(NewChatClient(), tracer)
                    .CompleteChatStreamingAsync([new UserChatMessage("[error:401]")]))
                {
                }
            });
            Assert.Equal(401, thrown.Status);
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("error", span["status"]!.GetValue<string>());
        Assert.Contains("Incorrect API key", span["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task RetriedCall_IsOneSpan_WithTheFinalOutcome()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        string prompt = $"retry me [flaky] {Guid.NewGuid()}";

        using (Zespan.Context(sessionId: session))
        {
            await Zespan.Wrap(NewChatClient(), tracer).CompleteChatAsync([new UserChatMessage(prompt)]);
        }

        Assert.Equal(2, _servers.OpenAI.Requests.Count(r => r.ToJsonString().Contains(prompt[^36..], StringComparison.Ordinal)));
        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("ok", span["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task NetworkFailure_IsRecordedAsError_AndRethrown()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri("http://127.0.0.1:9/v1/"), // discard port: nothing listens
            RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0),
        };
        ChatClient chat = Zespan.Wrap(new ChatClient("gpt-4o", new ApiKeyCredential("sk-fake"), options), tracer);

        using (Zespan.Context(sessionId: session))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => chat.CompleteChatAsync([new UserChatMessage("anyone there?")]));
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        Assert.Equal("error", span["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(span["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CallInsideStartSpan_InheritsTraceAndParent()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        ChatClient chat = Zespan.Wrap(NewChatClient(), tracer);

        string spanId, traceId;
        using (Zespan.Context(sessionId: session))
        using (SpanScope work = tracer.StartSpan("answer-question"))
        {
            spanId = work.Id;
            traceId = work.TraceId;
            await chat.CompleteChatAsync([new UserChatMessage("inside a span")]);
            await chat.CompleteChatAsync([new UserChatMessage("second call inside the span")]);
        }

        JsonObject[] spans = await _servers.SpansOfSessionAsync(tracer, session);
        Assert.Equal(3, spans.Length);
        JsonObject parent = Assert.Single(spans, s => s["kind"]!.GetValue<string>() == "span");
        Assert.Equal(spanId, parent["id"]!.GetValue<string>());
        Assert.All(spans.Where(s => s["kind"]!.GetValue<string>() == "llm"), llm =>
        {
            Assert.Equal(traceId, llm["traceId"]!.GetValue<string>());
            Assert.Equal(spanId, llm["parentId"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task CallsOutsideAnySpan_EachStartTheirOwnTrace()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string session = FakeServersFixture.NewSessionId();
        ChatClient chat = Zespan.Wrap(NewChatClient(), tracer);
        using (Zespan.Context(sessionId: session))
        {
            await chat.CompleteChatAsync([new UserChatMessage("first")]);
            await chat.CompleteChatAsync([new UserChatMessage("second")]);
        }

        JsonObject[] spans = await _servers.SpansOfSessionAsync(tracer, session);
        Assert.Equal(2, spans.Length);
        Assert.NotEqual(spans[0]["traceId"]!.GetValue<string>(), spans[1]["traceId"]!.GetValue<string>());
    }

    [Fact]
    public async Task StreamingRequest_AsksForUsage_SoTheFinalChunkCarriesIt()
    {
        await using ZespanTracer tracer = _servers.NewTracer();
        string marker = Guid.NewGuid().ToString("N");
        await foreach (StreamingChatCompletionUpdate _ in Zespan.Wrap(NewChatClient(), tracer).CompleteChatStreamingAsync([new UserChatMessage(marker)]))
        {
        }

        JsonObject sent = _servers.OpenAI.Requests.Single(r => r.ToJsonString().Contains(marker, StringComparison.Ordinal));
        Assert.True(sent["stream_options"]?["include_usage"]?.GetValue<bool>());
    }

    internal static void AssertUsageMatches(ChatTokenUsage expected, JsonNode recorded)
    {
        Assert.Equal(expected.InputTokenCount, recorded["inputTokens"]!.GetValue<long>());
        Assert.Equal(expected.OutputTokenCount, recorded["outputTokens"]!.GetValue<long>());
        Assert.Equal(expected.InputTokenDetails.CachedTokenCount, recorded["cachedInputTokens"]!.GetValue<long>());
        Assert.Equal(expected.OutputTokenDetails.ReasoningTokenCount, recorded["reasoningTokens"]!.GetValue<long>());
        Assert.True(expected.InputTokenCount > 0 && expected.InputTokenDetails.CachedTokenCount > 0 && expected.OutputTokenDetails.ReasoningTokenCount > 0);
    }

    private static async Task<List<string>> CollectUpdatesAsync(ChatClient chat, ChatMessage[] prompt)
    {
        var updates = new List<string>();
        await foreach (StreamingChatCompletionUpdate update in chat.CompleteChatStreamingAsync(prompt))
        {
            updates.Add(Describe(update));
        }
        return updates;
    }

    /// <summary>Everything an app can read from an update except the per-request id and timestamp.</summary>
    private static string Describe(StreamingChatCompletionUpdate update) =>
        $"{update.Model}|{update.Role}|{string.Concat(update.ContentUpdate.Select(p => p.Text))}|{update.FinishReason}|" +
        $"{update.Usage?.InputTokenCount}/{update.Usage?.OutputTokenCount}/{update.Usage?.InputTokenDetails?.CachedTokenCount}";
}
