using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Security.Tests.Infrastructure;
using Zespan.Server.Retention;

namespace Zespan.Security.Tests;

/// <summary>The retention worker, driven by a hand-moved clock across each plan's window, checked through the public API.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private ZespanApp _app = default!;

    public async Task InitializeAsync() => _app = await new ZespanApp().StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(Plan.Free, 14)]
    [InlineData(Plan.Solo, 30)]
    [InlineData(Plan.Pro, 90)]
    [InlineData(Plan.Team, 180)]
    [InlineData(Plan.Scale, 365)]
    public async Task SpansOlderThanThePlanWindow_AreRemoved_AndSessionFiguresRecomputed(Plan plan, int days)
    {
        await _app.Get<IOrganizationStore>().SetPlanAsync(_app.ProjectA.OrganizationId, plan);
        var now = _app.Clock.GetUtcNow();
        var oldestKept = now.AddDays(-days).AddDays(2);   // leaves the window in 2 days
        var soonGone = now.AddDays(-days).AddDays(1);     // leaves the window in 1 day
        var recent = now.AddDays(-1);
        await _app.IngestAsync(ZespanApp.KeyA,
            Spans.Llm("mixed-old", "trace-mixed-old", "mixed", oldestKept, "early-user", inputTokens: 5000, outputTokens: 100),
            Spans.Llm("mixed-new", "trace-mixed-new", "mixed", recent, "late-user", inputTokens: 700, outputTokens: 300, status: "error"),
            Spans.Llm("gone-1", "trace-gone", "gone", soonGone, inputTokens: 100, outputTokens: 10),
            new
            {
                id = "gone-child", traceId = "trace-gone", parentId = "gone-1", name = "tool", kind = "span",
                startTime = Iso(soonGone.AddMilliseconds(10)), endTime = Iso(soonGone.AddMilliseconds(20))
            });
        var worker = _app.Get<RetentionWorker>();

        Assert.Equal(0, (await worker.RunOnceAsync()).SpansDeleted);
        Assert.Equal(2, (await Session("mixed")).GetProperty("turns").GetInt32());

        _app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        Assert.Equal(2, (await worker.RunOnceAsync()).SpansDeleted);
        Assert.Equal(HttpStatusCode.NotFound, (await Api().GetAsync("/api/v1/sessions/gone")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api().GetAsync("/api/v1/traces/trace-gone")).StatusCode);
        var mixed = await Session("mixed");
        Assert.Equal(2, mixed.GetProperty("turns").GetInt32());
        Assert.Equal("early-user", mixed.GetProperty("userId").GetString());

        _app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, (await worker.RunOnceAsync()).SpansDeleted);
        mixed = await Session("mixed");
        Assert.Equal(1, mixed.GetProperty("turns").GetInt32());
        Assert.Equal(Spans.Gpt4oCost(700, 300), mixed.GetProperty("costUsd").GetDecimal());
        Assert.Equal(1000, mixed.GetProperty("totalTokens").GetInt64());
        Assert.Equal(1, mixed.GetProperty("errorCount").GetInt32());
        Assert.Equal("late-user", mixed.GetProperty("userId").GetString());
        Assert.Equal(DateTimeOffset.Parse(Iso(recent)), mixed.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.NotFound, (await Api().GetAsync("/api/v1/traces/trace-mixed-old")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api().GetAsync("/api/v1/traces/trace-mixed-new")).StatusCode);

        var list = await Api().GetFromJsonAsync<JsonElement>("/api/v1/sessions");
        Assert.Equal(1, list.GetProperty("totalCount").GetInt32());
        var costs = await Api().GetFromJsonAsync<JsonElement>("/api/v1/costs/models");
        Assert.Equal(Spans.Gpt4oCost(700, 300), costs.GetProperty("totalCostUsd").GetDecimal());
    }

    [Fact]
    public async Task ShorterPlan_AppliesAtTheNextRun_AndLongerPlanKeepsWhatRemains()
    {
        var organizations = _app.Get<IOrganizationStore>();
        await organizations.SetPlanAsync(_app.ProjectA.OrganizationId, Plan.Team);
        var now = _app.Clock.GetUtcNow();
        await _app.IngestAsync(ZespanApp.KeyA,
            Spans.Llm("a100", "t100", "s100", now.AddDays(-100)),
            Spans.Llm("a20", "t20", "s20", now.AddDays(-20)));
        await _app.IngestAsync(_app.KeyB, Spans.Llm("b100", "tb100", "sb100", now.AddDays(-10)));
        var worker = _app.Get<RetentionWorker>();
        Assert.Equal(0, (await worker.RunOnceAsync()).SpansDeleted);

        await organizations.SetPlanAsync(_app.ProjectA.OrganizationId, Plan.Solo);
        Assert.Equal(1, (await worker.RunOnceAsync()).SpansDeleted);
        Assert.Equal(HttpStatusCode.NotFound, (await Api().GetAsync("/api/v1/sessions/s100")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api().GetAsync("/api/v1/sessions/s20")).StatusCode);

        await organizations.SetPlanAsync(_app.ProjectA.OrganizationId, Plan.Scale);
        Assert.Equal(0, (await worker.RunOnceAsync()).SpansDeleted);
        Assert.Equal(HttpStatusCode.OK, (await Api().GetAsync("/api/v1/sessions/s20")).StatusCode);
        // Organisation B (Free, 14 days) kept its 10-day-old span: each organisation's own plan applies.
        Assert.Equal(HttpStatusCode.OK, (await _app.ApiClient(_app.KeyB).GetAsync("/api/v1/sessions/sb100")).StatusCode);
    }

    [Fact]
    public async Task SpanOlderThanThePlanKeeps_IsRefusedWithTheReason_AndItsNeighbourStored()
    {
        var now = _app.Clock.GetUtcNow();   // organisation B is on the Free plan: 14 days
        var response = await _app.ApiClient(_app.KeyB).PostAsJsonAsync("/api/v1/ingest", new
        {
            batch = new[] { Spans.Llm("too-old", "t-old", "s-window", now.AddDays(-15)), Spans.Llm("recent", "t-new", "s-window", now.AddDays(-13)) },
        });
        Assert.Equal((HttpStatusCode)207, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal(0, error.GetProperty("index").GetInt32());
        Assert.Equal("too-old", error.GetProperty("id").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("\"startTime\"", message);
        Assert.Contains("Free plan keeps data (14 days", message);

        var session = await _app.ApiClient(_app.KeyB).GetFromJsonAsync<JsonElement>("/api/v1/sessions/s-window");
        Assert.Equal(1, session.GetProperty("session").GetProperty("turns").GetInt32());
        // Nothing for the retention worker to remove later: what was answered as stored stays stored.
        Assert.Equal(0, (await _app.Get<RetentionWorker>().RunOnceAsync()).SpansDeleted);
    }

    [Fact]
    public async Task LargeCleanUp_InSmallBatches_RunsBesideIngestion_AndLeavesExactFigures()
    {
        // Ingestion refuses spans older than the plan keeps; 30-day-old spans need a longer plan to be stored at all.
        await _app.Get<IOrganizationStore>().SetPlanAsync(_app.ProjectA.OrganizationId, Plan.Scale);
        var now = _app.Clock.GetUtcNow();
        var old = Enumerable.Range(0, 3000).Select(i => Spans.Llm($"old-{i}", $"old-trace-{i % 50}", $"old-session-{i % 100}", now.AddDays(-30).AddSeconds(i))).ToArray();
        foreach (var chunk in old.Chunk(1000))
            await _app.IngestAsync(ZespanApp.KeyA, chunk);

        var cleanUp = _app.Get<IRetentionStore>().DeleteSpansStartedBeforeAsync(_app.ProjectA.Id, now.AddDays(-14).ToUnixTimeMilliseconds(), batchSize: 200);
        var fresh = Enumerable.Range(0, 20).Select(i => _app.IngestAsync(ZespanApp.KeyA, Spans.Llm($"new-{i}", $"new-trace-{i}", "fresh", now.AddMinutes(-i)))).ToList();
        Assert.Equal(3000, await cleanUp);
        await Task.WhenAll(fresh);

        var list = await Api().GetFromJsonAsync<JsonElement>("/api/v1/sessions");
        Assert.Equal(1, list.GetProperty("totalCount").GetInt32());
        Assert.Equal(20, (await Session("fresh")).GetProperty("turns").GetInt32());
        var costs = await Api().GetFromJsonAsync<JsonElement>("/api/v1/costs/models");
        Assert.Equal(20 * Spans.Gpt4oCost(1000, 200), costs.GetProperty("totalCostUsd").GetDecimal());
    }

    private HttpClient Api() => _app.ApiClient(ZespanApp.KeyA);

    private async Task<JsonElement> Session(string id) =>
        (await Api().GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{id}")).GetProperty("session");

    private static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
}
