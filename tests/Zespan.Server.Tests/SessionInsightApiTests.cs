using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Zespan.Server.Tests;

/// <summary>
/// GET /api/v1/sessions/anomalies and /sessions/timeseries over real HTTP and a real SQLite file: generated traffic with
/// planted anomalies (precision and recall, docs/benchmarks.md), the trends against the sessions list's own figures, and
/// refusals that name the parameter.
/// </summary>
public sealed class SessionInsightApiTests(ZespanApp app, ITestOutputHelper output) : IClassFixture<ZespanApp>
{
    private static readonly DateTime Start = new(2026, 11, 14, 0, 0, 0, DateTimeKind.Utc);
    private const string To = "2026-11-21T00:00:00Z";
    private static readonly string[] Features = ["support-chat", "search", "summarize"];

    private static string Time(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>One session's spans: turns calls of tokensPerTurn tokens each, in one feature, a minute apart.</summary>
    private static IEnumerable<string> SessionSpans(string id, string feature, DateTime start, int turns, int tokensPerTurn, bool priced = true) =>
        Enumerable.Range(0, turns).Select(t => Api.Span($"{id}-{t}", sessionId: id, traceId: $"{id}-t{t}",
            start: Time(start.AddMinutes(t)), end: Time(start.AddMinutes(t).AddSeconds(2)), model: priced ? "gpt-4o" : "no-price-model",
            input: tokensPerTurn * 3 / 4, output: tokensPerTurn / 4, extra: $"\"metadata\":{{\"feature\":\"{feature}\"}},\"tags\":[\"{feature}\"]"));

    [Fact]
    public async Task PlantedAnomalies_AreFound_WithPrecisionAndRecall()
    {
        var (_, key) = await app.CreateProjectAsync("Planted anomalies");
        var client = app.ClientWithKey(key);
        var random = new Random(19);
        var spans = new List<string>();
        var planted = new HashSet<string>();
        var nearMisses = new HashSet<string>();
        foreach (var feature in Features)
        {
            var usualTurns = feature == "search" ? 3 : 6;
            var usualTokens = feature == "summarize" ? 3_000 : 600;
            for (var i = 0; i < 150; i++)
            {
                var id = $"{feature}-{i:000}";
                var start = Start.AddMinutes(random.Next(0, 6 * 24 * 60));
                var turns = Math.Max(1, usualTurns + random.Next(-2, 3));
                var tokens = (int)(usualTokens * Math.Exp(0.3 * NextGaussian(random)));
                var kind = i % 30; // 0–2: runaway loops, 3–5: bloated prompts, 6–8: near misses (2× the usual), 9: unpriced
                if (kind < 3) { turns = usualTurns * random.Next(8, 20); planted.Add(id); }
                else if (kind < 6) { tokens = usualTokens * random.Next(6, 15); planted.Add(id); }
                else if (kind < 9) { turns = usualTurns * 2; nearMisses.Add(id); }
                spans.AddRange(SessionSpans(id, feature, start, turns, tokens, priced: kind != 9));
            }
        }
        foreach (var chunk in spans.Chunk(900))
            Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch(chunk))).StatusCode);

        foreach (var by in new[] { "metadata:feature", "tag" })
        {
            var report = await client.GetJsonAsync($"/api/v1/sessions/anomalies?by={by}&to={To}&limit=500");
            var flagged = report["data"]!.AsArray().Select(a => (string)a!["session"]!["sessionId"]!).ToHashSet();
            var truePositives = flagged.Count(planted.Contains);
            var precision = (double)truePositives / flagged.Count;
            var recall = (double)truePositives / planted.Count;
            output.WriteLine($"by={by}: {flagged.Count} flagged of {(long)report["sessionsJudged"]!} sessions, {planted.Count} planted; "
                + $"precision {precision:0.000}, recall {recall:0.000}; near misses flagged {flagged.Count(nearMisses.Contains)}");
            Assert.True(precision >= 0.95, $"precision {precision}");
            Assert.True(recall >= 0.95, $"recall {recall}");
            // A session at twice the usual turns is never flagged for its turns (it may be, rarely, for a random token count).
            Assert.DoesNotContain(report["data"]!.AsArray(), a => nearMisses.Contains((string)a!["session"]!["sessionId"]!)
                && a["findings"]!.AsArray().Any(f => (string)f!["metric"]! == "turns" && (bool)f["flagged"]!));
            Assert.Equal(flagged.Count, (long)report["anomalousSessions"]!);

            // Each flag says why, naming the kind and the baseline.
            var first = report["data"]![0]!;
            var kind = (string)first["kind"]!;
            var named = by == "tag" ? $"`{kind}` sessions" : $"`feature={kind}` sessions";
            Assert.Contains($" of {named} in the 7 days to 2026-11-21 00:00 UTC", (string)first["reason"]!);
            Assert.Contains(first["findings"]!.AsArray(), f => (bool)f!["flagged"]!);
            var baseline = report["baselines"]!.AsArray().Single(b => (string?)b!["kind"] == kind)!;
            Assert.Equal(150, (int)baseline["sessions"]!);
            Assert.Equal(5, (int)baseline["unpricedSessions"]!); // left out of the cost baseline, never $0
            Assert.Equal(145, (int)baseline["costUsd"]!["sessions"]!);
        }

        // The whole project as one kind mixes the features' usual turns: still every runaway loop is found.
        var whole = await client.GetJsonAsync($"/api/v1/sessions/anomalies?to={To}&limit=500");
        Assert.Null((string?)whole["by"]);
        var wholeFlagged = whole["data"]!.AsArray().Select(a => (string)a!["session"]!["sessionId"]!).ToHashSet();
        Assert.Superset(planted.Where(p => int.Parse(p[^3..]) % 30 < 3).ToHashSet(), wholeFlagged);

        // Filters as the sessions list: only errored sessions are judged (there are none).
        var errors = await client.GetJsonAsync($"/api/v1/sessions/anomalies?by=tag&to={To}&status=error");
        Assert.Equal(0, (long)errors["sessionsJudged"]!);
        Assert.Empty(errors["data"]!.AsArray());
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public async Task Timeseries_AgreesWithTheSessionsList_AndKeepsUnknownCostNull()
    {
        var (_, key) = await app.CreateProjectAsync("Trends");
        var client = app.ClientWithKey(key);
        var spans = new List<string>();
        spans.AddRange(SessionSpans("a", "search", Start.AddHours(1), 2, 1_000));
        spans.AddRange(SessionSpans("b", "search", Start.AddHours(5), 4, 1_000));
        spans.AddRange(SessionSpans("c", "support-chat", Start.AddDays(1).AddHours(2), 6, 500));
        spans.AddRange(SessionSpans("u", "support-chat", Start.AddDays(2).AddHours(2), 3, 500, priced: false));
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch([.. spans, spans[0]]))).StatusCode); // one re-sent

        var from = Time(Start);
        var to = Time(Start.AddDays(3));
        var series = await client.GetJsonAsync($"/api/v1/sessions/timeseries?from={from}&to={to}&bucket=day");
        Assert.Equal("day", (string)series["bucket"]!);
        var buckets = series["series"]![0]!["buckets"]!.AsArray();
        Assert.Equal(3, buckets.Count);
        Assert.Equal([2L, 1L, 1L], buckets.Select(b => (long)b!["sessions"]!));
        Assert.Equal(6, (long)buckets[0]!["turns"]!);
        Assert.Equal(4, (long)buckets[0]!["turnsP95"]!);
        Assert.Null(buckets[2]!["costUsd"]);          // the only session is unpriced: unknown, not $0
        Assert.Null(buckets[2]!["costMedianUsd"]);
        Assert.Equal(1, (long)buckets[2]!["unpricedSessions"]!);

        var stats = await client.GetJsonAsync($"/api/v1/sessions/stats?from={from}&to={to}");
        Assert.Equal((double)stats["totalCostUsd"]!, buckets.Sum(b => (double?)b!["costUsd"] ?? 0), 9);
        Assert.Equal((long)stats["pricedSessions"]!, buckets.Sum(b => (long)b!["pricedSessions"]!));
        var day0 = await client.GetJsonAsync($"/api/v1/sessions/stats?from={from}&to={Time(Start.AddDays(1))}");
        Assert.Equal((double)day0["medianCostUsd"]!, (double)buckets[0]!["costMedianUsd"]!);
        Assert.Equal((double)day0["p95CostUsd"]!, (double)buckets[0]!["costP95Usd"]!);

        var byTag = await client.GetJsonAsync($"/api/v1/sessions/timeseries?from={from}&to={to}&bucket=week&by=tag");
        Assert.Equal(["search", "support-chat"], byTag["series"]!.AsArray().Select(s => (string)s!["kind"]!).Order());
        Assert.Equal("2026-11-09T00:00:00.000Z", (string)byTag["from"]!); // weeks start on Monday

        var hourly = await client.GetJsonAsync($"/api/v1/sessions/timeseries?from={from}&to={Time(Start.AddHours(6))}&bucket=hour&minTurns=3");
        Assert.Equal(1, hourly["series"]![0]!["buckets"]!.AsArray().Sum(b => (long)b!["sessions"]!));
    }

    [Theory]
    [InlineData("/api/v1/sessions/timeseries?bucket=month", "\"bucket\"")]
    [InlineData("/api/v1/sessions/timeseries?by=user", "\"by\"")]
    [InlineData("/api/v1/sessions/timeseries?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=hour", "5,000")]
    [InlineData("/api/v1/sessions/timeseries?limit=0&by=tag", "\"limit\"")]
    [InlineData("/api/v1/sessions/timeseries?from=yesterday", "\"from\"")]
    [InlineData("/api/v1/sessions/anomalies?windowDays=365", "\"windowDays\"")]
    [InlineData("/api/v1/sessions/anomalies?by=metadata:", "\"by\"")]
    [InlineData("/api/v1/sessions/anomalies?status=bad", "\"status\"")]
    [InlineData("/api/v1/sessions/anomalies?limit=501", "\"limit\"")]
    public async Task BadParameters_AreRefused_NamingTheParameter(string url, string named)
    {
        var response = await app.ClientWithKey().GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task NewEndpoints_HaveFullOpenApiMetadata()
    {
        var document = await app.ClientWithKey().GetJsonAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/v1/sessions/anomalies", "/api/v1/sessions/timeseries" })
        {
            var get = document["paths"]![path]!["get"]!;
            Assert.False(string.IsNullOrWhiteSpace((string?)get["summary"]), path);
            Assert.False(string.IsNullOrWhiteSpace((string?)get["description"]), path);
            foreach (var parameter in get["parameters"]!.AsArray())
                Assert.False(string.IsNullOrWhiteSpace((string?)parameter!["description"]), $"{path} {parameter["name"]}");
            Assert.Contains("by", get["parameters"]!.AsArray().Select(p => (string)p!["name"]!));
            Assert.NotNull(get["responses"]!["200"]!["content"]!["application/json"]);
            Assert.NotNull(get["responses"]!["400"]!["content"]!["application/problem+json"]);
        }
    }
}
