using System.Text.Json.Nodes;
using ZespanSdk.Tests.Fakes;

namespace ZespanSdk.Tests.Infrastructure;

/// <summary>One fake OpenAI server and one fake ingest endpoint shared by a test class; tests tell their spans apart by session id.</summary>
public sealed class FakeServersFixture : IAsyncLifetime
{
    public FakeOpenAIServer OpenAI { get; private set; } = null!;
    public FakeIngestServer Ingest { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OpenAI = await FakeOpenAIServer.StartAsync();
        Ingest = await FakeIngestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await OpenAI.DisposeAsync();
        await Ingest.DisposeAsync();
    }

    public ZespanTracer NewTracer(Action<ZespanOptions>? configure = null) => new(Ingest.Options(configure));

    /// <summary>Flushes the tracer, then returns the spans the fake ingest stored for this session, oldest first.</summary>
    public async Task<JsonObject[]> SpansOfSessionAsync(ZespanTracer tracer, string sessionId)
    {
        Assert.True(await tracer.FlushAsync(TimeSpan.FromSeconds(20)), "flush did not complete");
        return Ingest.Spans.Values
            .Where(s => s["sessionId"]?.GetValue<string>() == sessionId)
            .OrderBy(s => s["startTime"]!.GetValue<string>(), StringComparer.Ordinal)
            .ToArray();
    }

    public static string NewSessionId() => "sess-" + Guid.NewGuid().ToString("N");
}
