using System.Net;
using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>
/// Every aggregate figure of the read API with totals past 2^63 picodollars ($9,223,372.04) and with unpriced calls.
/// Expected figures are recomputed here from the spans sent, never read back from the store.
/// </summary>
public sealed class MoneyAggregatesTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private const string Range = "from=2026-11-20T00:00:00.000Z&to=2026-11-21T00:00:00.000Z";

    /// <summary>Ten $1,000,000 calls (the largest costUsd accepted), one per hour, session and trace, all of one user, tag and metadata value.</summary>
    private static string TenMillionDollars(string prefix) => Api.Batch([.. Enumerable.Range(0, 10).Select(i => Api.Span(
        $"{prefix}-{i}", sessionId: $"{prefix}-conv-{i}", traceId: $"{prefix}-trace-{i}",
        start: $"2026-11-20T{i + 1:00}:10:00.000Z", end: $"2026-11-20T{i + 1:00}:10:01.000Z",
        extra: $$"""
            "costUsd":1000000,"userId":"{{prefix}}-whale","tags":["big"],"metadata":{"feature":"{{prefix}}"}
            """))]);

    [Fact]
    public async Task TenMillionDollars_EveryAggregateEndpoint_IsExact()
    {
        var (_, key) = await app.CreateProjectAsync("Whale");
        var client = app.ClientWithKey(key);
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(TenMillionDollars("w"))).StatusCode);
        const double total = 10_000_000;

        var models = await client.GetJsonAsync($"/api/v1/costs/models?{Range}");
        Assert.Equal(total, (double)models["totalCostUsd"]!);
        Assert.Equal(total, (double)Assert.Single(models["data"]!.AsArray())!["costUsd"]!);
        // Whole hours come from the hourly rollup, a window with partial hours also from the raw spans.
        var partial = await client.GetJsonAsync("/api/v1/costs/models?from=2026-11-20T00:30:00.000Z&to=2026-11-20T23:30:00.000Z");
        Assert.Equal(total, (double)partial["totalCostUsd"]!);

        var days = (await client.GetJsonAsync($"/api/v1/costs/timeseries?{Range}&bucket=day")).AsArray();
        Assert.Equal(total, (double)Assert.Single(days)!["costUsd"]!);
        var hours = (await client.GetJsonAsync($"/api/v1/costs/timeseries?{Range}&bucket=hour")).AsArray();
        Assert.Equal(total, hours.Sum(h => (double)h!["costUsd"]!));

        var stats = await client.GetJsonAsync($"/api/v1/sessions/stats?{Range}");
        Assert.Equal(total, (double)stats["totalCostUsd"]!);
        Assert.Equal(1_000_000, (double)stats["avgCostUsd"]!);
        var allTime = await client.GetJsonAsync("/api/v1/sessions/stats");
        Assert.Equal(total, (double)allTime["totalCostUsd"]!);
        var byUserStats = await client.GetJsonAsync("/api/v1/sessions/stats?userId=w-whale");
        Assert.Equal(total, (double)byUserStats["totalCostUsd"]!);

        // Each breakdown path: per-user totals, the join (a status filter), and the tag and metadata rollups.
        foreach (var query in new[] { "by=userId", $"by=userId&{Range}&status=ok", "by=tag", $"by=tag&{Range}", $"by=metadata.feature&{Range}", $"by=userId&{Range}" })
        {
            var group = Assert.Single((await client.GetJsonAsync($"/api/v1/sessions/breakdown?{query}"))["data"]!.AsArray())!;
            Assert.Equal(total, (double)group["totalCostUsd"]!);
            Assert.Equal(1_000_000, (double)group["avgCostUsd"]!);
            Assert.Equal(0, (long)group["unpricedSessions"]!);
        }

        var sessions = await client.GetJsonAsync("/api/v1/sessions?sort=costUsd&limit=100");
        Assert.Equal(total, sessions["data"]!.AsArray().Sum(s => (double)s!["costUsd"]!));
        var userSessions = await client.GetJsonAsync("/api/v1/users/w-whale/sessions?limit=100");
        Assert.Equal(total, userSessions["data"]!.AsArray().Sum(s => (double)s!["costUsd"]!));
        var traces = await client.GetJsonAsync("/api/v1/traces?limit=100");
        Assert.Equal(total, traces["data"]!.AsArray().Sum(t => (double)t!["costUsd"]!));
    }

    /// <summary>
    /// The audit's case: ten $1,000,000 calls in ONE session and one trace, so the session's and the trace's own rows pass
    /// 2^63 picodollars (they stopped at $9,223,372.03). Every figure shows exactly $10,000,000, also after a re-send.
    /// </summary>
    [Fact]
    public async Task TenMillionDollarsInOneSession_EveryFigure_IsExact()
    {
        var (_, key) = await app.CreateProjectAsync("One whale session");
        var client = app.ClientWithKey(key);
        var calls = Enumerable.Range(0, 10).Select(i => Api.Span(
            $"one-{i}", sessionId: "one-conv", traceId: "one-trace",
            start: $"2026-11-20T{i + 1:00}:10:00.000Z", end: $"2026-11-20T{i + 1:00}:10:01.000Z",
            extra: "\"costUsd\":1000000,\"userId\":\"one-whale\",\"tags\":[\"big\"],\"metadata\":{\"feature\":\"one\"}")).ToList();
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch([.. calls[..9]]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch(calls[9]))).StatusCode); // crosses the bound alone
        await AssertTenMillionAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch(calls[9]))).StatusCode); // an SDK retry
        await AssertTenMillionAsync(client);
    }

    /// <summary>
    /// Issue 12: the median and p95 of session cost read each session's cost clamped at $9,223,372.03 (cost_sort), so
    /// sessions of $10M, $20M and $30M had a median of $9.2M. Stats and trends (whole project and per kind) now read the
    /// cost in its two parts.
    /// </summary>
    [Fact]
    public async Task SessionsAboveTheBound_StatsAndTrendPercentiles_AreExact()
    {
        var (_, key) = await app.CreateProjectAsync("Three whale sessions");
        var client = app.ClientWithKey(key);
        var calls = new List<string> { Api.Span("small-0", sessionId: "small", traceId: "t-small", extra: "\"costUsd\":1,\"tags\":[\"big\"],\"metadata\":{\"feature\":\"f\"}") };
        foreach (var (session, millions) in new[] { ("ten", 10), ("twenty", 20), ("thirty", 30) })
            calls.AddRange(Enumerable.Range(0, millions).Select(i => Api.Span(
                $"{session}-{i}", sessionId: session, traceId: $"t-{session}",
                start: $"2026-11-20T{i % 24:00}:10:00.000Z", end: $"2026-11-20T{i % 24:00}:10:01.000Z",
                extra: "\"costUsd\":1000000,\"tags\":[\"big\"],\"metadata\":{\"feature\":\"f\"}")));
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch([.. calls]))).StatusCode);

        // Priced sessions $1, $10M, $20M, $30M: median (10M + 20M) / 2, p95 the nearest rank (the 4th).
        const double median = 15_000_000, p95 = 30_000_000;
        var stats = await client.GetJsonAsync($"/api/v1/sessions/stats?{Range}");
        Assert.Equal(median, (double)stats["medianCostUsd"]!);
        Assert.Equal(p95, (double)stats["p95CostUsd"]!);
        foreach (var by in new[] { "", "&by=tag", "&by=metadata:feature" })
        {
            var series = (await client.GetJsonAsync($"/api/v1/sessions/timeseries?{Range}&bucket=day{by}"))["series"]!.AsArray();
            var bucket = Assert.Single(Assert.Single(series)!["buckets"]!.AsArray())!;
            Assert.Equal(median, (double)bucket["costMedianUsd"]!);
            Assert.Equal(p95, (double)bucket["costP95Usd"]!);
            Assert.Equal(60_000_001, (double)bucket["costUsd"]!);
            Assert.Equal(60_000_001 / 4.0, (double)bucket["costMeanUsd"]!, 1e-6); // a double of picodollars: 2^-52 relative
        }
    }

    [Fact]
    public async Task TenMillionDollarSessions_InOneHour_RollupFiguresAreExact()
    {
        // Ten sessions of $1,000,000 started in the same UTC hour: none is above the bound alone, their hour's rollup rows
        // (the hour; its tag; its metadata key and value) add up past it (migration 190).
        var (_, key) = await app.CreateProjectAsync("One hour of whales");
        var client = app.ClientWithKey(key);
        var body = Api.Batch([.. Enumerable.Range(0, 10).Select(i => Api.Span(
            $"h-{i}", sessionId: $"h-conv-{i}", traceId: $"h-trace-{i}", start: $"2026-11-20T05:{i:00}:00.000Z", end: $"2026-11-20T05:{i:00}:01.000Z",
            extra: "\"costUsd\":1000000,\"tags\":[\"big\"],\"metadata\":{\"feature\":\"f\"}"))]);
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(body)).StatusCode);
        const double total = 10_000_000;

        foreach (var query in new[] { Range, "" })
        {
            var stats = await client.GetJsonAsync($"/api/v1/sessions/stats?{query}");
            Assert.Equal(total, (double)stats["totalCostUsd"]!);
            Assert.Equal(1_000_000, (double)stats["avgCostUsd"]!);
        }
        foreach (var query in new[] { $"by=tag&{Range}", $"by=metadata.feature&{Range}", "by=userId" })
            Assert.Equal(total, (double)Assert.Single((await client.GetJsonAsync($"/api/v1/sessions/breakdown?{query}"))["data"]!.AsArray())!["totalCostUsd"]!);
        foreach (var by in new[] { "", "&by=tag" })
        {
            var series = (await client.GetJsonAsync($"/api/v1/sessions/timeseries?{Range}&bucket=day{by}"))["series"]!.AsArray();
            Assert.Equal(total, (double)Assert.Single(Assert.Single(series)!["buckets"]!.AsArray())!["costUsd"]!);
        }

        // A call replaced at a lower price takes its hour's rows back below the bound, exactly.
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch(Api.Span("h-0", sessionId: "h-conv-0", traceId: "h-trace-0",
            start: "2026-11-20T05:00:00.000Z", end: "2026-11-20T05:00:01.000Z", extra: "\"costUsd\":1,\"tags\":[\"big\"],\"metadata\":{\"feature\":\"f\"}")))).StatusCode);
        Assert.Equal(9_000_001, (double)(await client.GetJsonAsync($"/api/v1/sessions/stats?{Range}"))["totalCostUsd"]!);
        Assert.Equal(9_000_001, (double)Assert.Single((await client.GetJsonAsync($"/api/v1/sessions/breakdown?by=tag&{Range}"))["data"]!.AsArray())!["totalCostUsd"]!);
    }

    private static async Task AssertTenMillionAsync(HttpClient client)
    {
        const double total = 10_000_000;
        var detail = await client.GetJsonAsync("/api/v1/sessions/one-conv");
        Assert.Equal(total, (double)detail["session"]!["costUsd"]!);
        Assert.Equal(total, detail["timeline"]!.AsArray().Sum(c => (double)c!["costUsd"]!));
        foreach (var order in new[] { "sort=costUsd&order=desc", "sort=costUsd&order=asc", "" })
            Assert.Equal(total, (double)Assert.Single((await client.GetJsonAsync($"/api/v1/sessions?{order}"))["data"]!.AsArray())!["costUsd"]!);
        Assert.Equal(total, (double)Assert.Single((await client.GetJsonAsync("/api/v1/users/one-whale/sessions"))["data"]!.AsArray())!["costUsd"]!);
        Assert.Equal(total, (double)Assert.Single((await client.GetJsonAsync("/api/v1/traces"))["data"]!.AsArray())!["costUsd"]!);

        foreach (var query in new[] { "", Range, "userId=one-whale" })
        {
            var stats = await client.GetJsonAsync($"/api/v1/sessions/stats?{query}");
            Assert.Equal(total, (double)stats["totalCostUsd"]!);
            Assert.Equal(total, (double)stats["avgCostUsd"]!);
        }
        foreach (var query in new[] { "by=userId", $"by=userId&{Range}&status=ok", "by=tag", $"by=tag&{Range}", $"by=metadata.feature&{Range}", $"by=userId&{Range}" })
        {
            var group = Assert.Single((await client.GetJsonAsync($"/api/v1/sessions/breakdown?{query}"))["data"]!.AsArray())!;
            Assert.Equal(total, (double)group["totalCostUsd"]!);
            Assert.Equal(total, (double)group["avgCostUsd"]!);
        }
        Assert.Equal(total, (double)(await client.GetJsonAsync($"/api/v1/costs/models?{Range}"))["totalCostUsd"]!);
        Assert.Equal(total, (double)Assert.Single((await client.GetJsonAsync($"/api/v1/costs/timeseries?{Range}&bucket=day")).AsArray())!["costUsd"]!);
    }

    [Fact]
    public async Task AllUnpriced_EveryCostFigure_IsNullNotZero()
    {
        var (_, key) = await app.CreateProjectAsync("Unpriced");
        var client = app.ClientWithKey(key);
        var body = Api.Batch(
            Api.Span("u-1", sessionId: "u-conv-1", traceId: "u-trace-1", model: "no-such-model", extra: "\"userId\":\"u-user\",\"tags\":[\"t\"]"),
            Api.Span("u-2", sessionId: "u-conv-2", traceId: "u-trace-2", model: "no-such-model", start: "2026-11-20T12:00:00.000Z", end: "2026-11-20T12:00:01.000Z"));
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(body)).StatusCode);

        var models = await client.GetJsonAsync($"/api/v1/costs/models?{Range}");
        Assert.Null(models["totalCostUsd"]);
        var model = Assert.Single(models["data"]!.AsArray())!;
        Assert.Null(model["costUsd"]);
        Assert.Equal(2, (long)model["unpricedCalls"]!);

        var buckets = (await client.GetJsonAsync($"/api/v1/costs/timeseries?{Range}&bucket=hour")).AsArray();
        Assert.All(buckets.Where(b => (long)b!["calls"]! > 0), b => Assert.Null(b!["costUsd"]));
        Assert.All(buckets.Where(b => (long)b!["calls"]! == 0), b => Assert.Equal(0, (double)b!["costUsd"]!));
        Assert.Equal(2, buckets.Sum(b => (long)b!["unpricedCalls"]!));

        var stats = await client.GetJsonAsync($"/api/v1/sessions/stats?{Range}");
        Assert.Equal(2, (long)stats["sessions"]!);
        Assert.Equal(0, (long)stats["pricedSessions"]!);
        foreach (var figure in new[] { "totalCostUsd", "avgCostUsd", "medianCostUsd", "p95CostUsd" })
            Assert.Null(stats[figure]);

        // Each breakdown path (per-user totals, the join, the tag and metadata rollups): the group's cost is unknown.
        foreach (var query in new[] { "by=userId", $"by=userId&{Range}&status=ok", "by=tag", $"by=tag&{Range}", $"by=metadata.feature&{Range}", $"by=userId&{Range}" })
        {
            var groups = (await client.GetJsonAsync($"/api/v1/sessions/breakdown?{query}"))["data"]!.AsArray();
            Assert.NotEmpty(groups);
            Assert.All(groups, g => Assert.Null(g!["totalCostUsd"]));
            Assert.All(groups, g => Assert.Null(g!["avgCostUsd"]));
            Assert.All(groups, g => Assert.Equal((long)g!["sessions"]!, (long)g["unpricedSessions"]!));
        }

        var traces = (await client.GetJsonAsync("/api/v1/traces")).AsObject()["data"]!.AsArray();
        Assert.Equal(2, traces.Count);
        Assert.All(traces, t => Assert.Null(t!["costUsd"]));
        Assert.All((await client.GetJsonAsync("/api/v1/sessions"))["data"]!.AsArray(), s => Assert.Null(s!["costUsd"]));
    }

    [Fact]
    public async Task MixedPricedAndUnpriced_FiguresCountOnlyThePricedCalls()
    {
        var (_, key) = await app.CreateProjectAsync("Mixed");
        var client = app.ClientWithKey(key);
        // gpt-4o by hand: 100 input × $2.50/M + 10 output × $10/M = $0.00035 per call.
        const double call = 0.00035;
        var body = Api.Batch(
            Api.Span("m-1", sessionId: "m-priced", traceId: "m-trace-1"),
            Api.Span("m-2", sessionId: "m-priced", traceId: "m-trace-1", model: "no-such-model", start: "2026-11-20T10:00:02.000Z", end: "2026-11-20T10:00:03.000Z"),
            Api.Span("m-3", sessionId: "m-unpriced", traceId: "m-trace-2", model: "no-such-model", start: "2026-11-20T10:00:04.000Z", end: "2026-11-20T10:00:05.000Z"));
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(body)).StatusCode);

        var models = await client.GetJsonAsync($"/api/v1/costs/models?{Range}");
        Assert.Equal(call, (double)models["totalCostUsd"]!, 12);
        var rows = models["data"]!.AsArray();
        Assert.Equal(call, (double)rows.Single(r => (string?)r!["model"] == "gpt-4o")!["costUsd"]!, 12);
        Assert.Null(rows.Single(r => (string?)r!["model"] == "no-such-model")!["costUsd"]);

        var bucket = (await client.GetJsonAsync($"/api/v1/costs/timeseries?{Range}&bucket=day")).AsArray().Single()!;
        Assert.Equal(call, (double)bucket["costUsd"]!, 12);
        Assert.Equal(2, (long)bucket["unpricedCalls"]!);

        // Average, median and p95 over the one priced session; the total over all.
        var stats = await client.GetJsonAsync($"/api/v1/sessions/stats?{Range}");
        Assert.Equal((2L, 1L), ((long)stats["sessions"]!, (long)stats["pricedSessions"]!));
        foreach (var figure in new[] { "totalCostUsd", "avgCostUsd", "medianCostUsd", "p95CostUsd" })
            Assert.Equal(call, (double)stats[figure]!, 12);

        var traces = (await client.GetJsonAsync("/api/v1/traces"))["data"]!.AsArray();
        Assert.Equal(call, (double)traces.Single(t => (string)t!["traceId"]! == "m-trace-1")!["costUsd"]!, 12);
        Assert.Null(traces.Single(t => (string)t!["traceId"]! == "m-trace-2")!["costUsd"]);
    }
}
