using System.ClientModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk.Tests.Fakes;

namespace ZespanSdk.Tests.Integration;

/// <summary>The app must not notice when the Zespan server is down or slow, and nothing may be lost on the way.</summary>
[Collection(ZespanServerCollection.Name)]
public sealed class ResilienceTests
{
    private readonly ZespanServerFixture _fixture;

    public ResilienceTests(ZespanServerFixture fixture) => _fixture = fixture;

    private ChatClient PlainClient() =>
        new("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = _fixture.OpenAI.Endpoint });

    private static async Task<TimeSpan> TimeCallsAsync(ChatClient chat, string session, int calls)
    {
        var watch = Stopwatch.StartNew();
        using (Zespan.Context(sessionId: session, userId: "resilience"))
        {
            for (int i = 0; i < calls; i++)
            {
                await chat.CompleteChatAsync([new UserChatMessage($"call {i}")]);
            }
        }
        return watch.Elapsed;
    }

    [Fact]
    public async Task ServerDown_AppCarriesOn_AndSpansArriveOnceItIsBack()
    {
        string session = "outage-" + Guid.NewGuid().ToString("N");
        await using var tracer = new ZespanTracer(_fixture.Options());
        ChatClient chat = Zespan.Wrap(PlainClient(), tracer);

        await _fixture.Server.StopAsync();
        TimeSpan elapsed;
        try
        {
            elapsed = await TimeCallsAsync(chat, session, 5);
            await Task.Delay(1500); // let the exporter fail a few times
        }
        finally
        {
            await _fixture.Server.StartAgainAsync();
        }

        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"5 calls took {elapsed} while Zespan was down");
        JsonObject detail = await _fixture.Server.WaitForTurnsAsync(session, 5, TimeSpan.FromSeconds(60));
        Assert.Equal("ok", detail["session"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task SlowServer_DoesNotSlowTheApp()
    {
        string session = "slow-" + Guid.NewGuid().ToString("N");
        await using SlowProxy proxy = await SlowProxy.StartAsync(_fixture.Server.BaseUrl, TimeSpan.FromSeconds(3));
        await using var tracer = new ZespanTracer(_fixture.Options(o => o.BaseUrl = proxy.BaseUrl.ToString()));
        ChatClient chat = Zespan.Wrap(PlainClient(), tracer);

        TimeSpan unwrapped = await TimeCallsAsync(PlainClient(), "unrecorded", 5);
        TimeSpan wrapped = await TimeCallsAsync(chat, session, 5);

        // Every export takes 3s here; if one sat on the app's path, five calls would take 15s.
        Assert.True(wrapped < unwrapped + TimeSpan.FromSeconds(2), $"wrapped {wrapped} vs unwrapped {unwrapped}");
        await tracer.FlushAsync();
        await _fixture.Server.WaitForTurnsAsync(session, 5);
    }

    [Fact]
    public async Task Dispose_DeliversEverything_BeforeItReturns()
    {
        string session = "dispose-" + Guid.NewGuid().ToString("N");
        const int calls = 40;
        var tracer = new ZespanTracer(_fixture.Options(o =>
        {
            o.FlushInterval = TimeSpan.FromMinutes(5); // nothing would leave on its own
            o.MaxBatchSize = 500;
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
        }));
        ChatClient chat = Zespan.Wrap(PlainClient(), tracer);
        await Task.WhenAll(Enumerable.Range(0, calls).Select(async i =>
        {
            using (Zespan.Context(sessionId: session))
            {
                await chat.CompleteChatAsync([new UserChatMessage($"parallel call {i}")]);
            }
        }));

        await tracer.DisposeAsync();

        // No polling: a 2xx from ingest means durable, and disposal waited for it.
        JsonObject? detail = await _fixture.Server.GetSessionAsync(session);
        Assert.NotNull(detail);
        Assert.Equal(calls, detail["session"]!["turns"]!.GetValue<int>());
        Assert.Equal(calls, tracer.Statistics.Delivered);
    }

    [Fact]
    public async Task SpansAndCalls_FormOneTrace_ReadableFromTheServer()
    {
        string session = "trace-" + Guid.NewGuid().ToString("N");
        await using var tracer = new ZespanTracer(_fixture.Options());
        ChatClient chat = Zespan.Wrap(PlainClient(), tracer);

        string traceId, rootId, childId;
        using (Zespan.Context(sessionId: session, tags: ["integration"]))
        using (SpanScope root = tracer.StartSpan("handle-request"))
        {
            traceId = root.TraceId;
            rootId = root.Id;
            await chat.CompleteChatAsync([new UserChatMessage("plan")]);
            using (SpanScope child = tracer.StartSpan("retrieve"))
            {
                childId = child.Id;
                await chat.CompleteChatAsync([new UserChatMessage("answer")]);
            }
        }
        await tracer.FlushAsync();

        await _fixture.Server.WaitForTurnsAsync(session, 2);
        JsonObject trace = await _fixture.Server.GetTraceAsync(traceId);
        JsonObject[] spans = trace["spans"]!.AsArray().Select(s => s!.AsObject()).ToArray();
        Assert.Equal(4, spans.Length);
        Assert.Null(spans.Single(s => s["id"]!.GetValue<string>() == rootId)["parentId"]);
        Assert.Equal(rootId, spans.Single(s => s["id"]!.GetValue<string>() == childId)["parentId"]!.GetValue<string>());
        JsonObject[] llm = spans.Where(s => s["kind"]!.GetValue<string>() == "llm").ToArray();
        // By time, not by text: the JSON trims trailing zeros of the fraction, so "…01.1Z" sorts after "…01.12Z" as text.
        // Two calls in the same millisecond (a local fake server answers in less) have no order; then only the parents count.
        var byStart = llm.Select(s => (Start: DateTimeOffset.Parse(s["startTime"]!.GetValue<string>(), CultureInfo.InvariantCulture), Parent: s["parentId"]!.GetValue<string>()))
            .OrderBy(s => s.Start).ToArray();
        if (byStart[0].Start == byStart[1].Start)
            Assert.Equal(new[] { rootId, childId }.Order(StringComparer.Ordinal), byStart.Select(s => s.Parent).Order(StringComparer.Ordinal));
        else
            Assert.Equal([rootId, childId], byStart.Select(s => s.Parent));
        Assert.All(spans, s => Assert.Equal(session, s["sessionId"]!.GetValue<string>()));
    }
}
