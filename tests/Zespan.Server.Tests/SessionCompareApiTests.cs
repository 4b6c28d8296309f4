using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>
/// GET /api/v1/sessions/compare over the real server and SQLite: every figure recomputed from the spans this test sent
/// (built-in prices per 1M tokens: gpt-4o input 2.50, output 10.00; gpt-4o-mini input 0.15, output 0.60).
/// </summary>
public sealed class SessionCompareApiTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private sealed record Sent(string Session, int Turn, string Model, int Input, int Output, int LatencyMs, bool Error, int ToolCalls);

    private static double? Price(Sent s) => s.Model switch
    {
        "gpt-4o" => (s.Input * 2.50 + s.Output * 10.00) / 1e6,
        "gpt-4o-mini" => (s.Input * 0.15 + s.Output * 0.60) / 1e6,
        _ => null,
    };

    private static string Body(IEnumerable<Sent> calls) => Api.Batch([.. calls.Select(c =>
    {
        var start = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero).AddMinutes(c.Turn);
        var toolCalls = string.Join(",", Enumerable.Range(0, c.ToolCalls).Select(k => $$$"""{"id":"c{{{c.Turn}}}-{{{k}}}","type":"function","function":{"name":"lookup","arguments":"{}"}}"""));
        var output = c.ToolCalls > 0 ? $$"""{"role":"assistant","content":null,"tool_calls":[{{toolCalls}}]}""" : $$"""{"role":"assistant","content":"answer {{c.Turn}}"}""";
        var error = c.Error ? ",\"status\":\"error\",\"error\":\"500 upstream\"" : "";
        return Api.Span($"{c.Session}-{c.Turn}", sessionId: c.Session, traceId: $"{c.Session}-t{c.Turn}",
            start: start.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            end: start.AddMilliseconds(c.LatencyMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            model: c.Model, input: c.Input, output: c.Output,
            extra: $$"""
                "input":[{"role":"user","content":"question {{c.Turn}}"}],"output":{{output}}{{error}}
                """);
    })]);

    [Fact]
    public async Task TwoToFourSessions_FiguresRecomputedFromTheSpansSent_InTheOrderAsked()
    {
        var (_, key) = await app.CreateProjectAsync("Compare figures");
        var client = app.ClientWithKey(key);
        var random = new Random(18);
        var ids = new[] { "cheap,with comma", "org/7/pricey", "mixed ?#" };
        var models = new[] { "gpt-4o-mini", "gpt-4o", "no-such-model" };
        var sent = ids.SelectMany((id, s) => Enumerable.Range(0, 3 + s * 2).Select(turn => new Sent(id, turn,
            s == 2 ? models[turn % 3] : models[s], random.Next(100, 5_000), random.Next(10, 900), random.Next(50, 3_000),
            random.Next(4) == 0, random.Next(3)))).ToList();
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Body(sent))).StatusCode);

        // Ids with a comma travel as id=…, the others as ids=…; the response keeps the order asked.
        var compare = await client.GetJsonAsync(
            $"/api/v1/sessions/compare?ids={Uri.EscapeDataString(ids[2])},{Uri.EscapeDataString(ids[1])}&id={Uri.EscapeDataString(ids[0])}");

        var sessions = compare["sessions"]!.AsArray();
        Assert.Equal([ids[2], ids[1], ids[0]], sessions.Select(s => (string)s!["session"]!["sessionId"]!));
        Assert.Equal(sent.GroupBy(c => c.Session).Max(g => g.Count()), (int)compare["maxTurns"]!);
        foreach (var item in sessions)
        {
            var id = (string)item!["session"]!["sessionId"]!;
            var calls = sent.Where(c => c.Session == id).OrderBy(c => c.Turn).ToList();
            var s = item["session"]!;
            Assert.Equal(calls.Count, (int)s["turns"]!);
            Assert.Equal(calls.Count(c => c.Error), (int)s["errorCount"]!);
            Assert.Equal(calls.Sum(c => c.Input + c.Output), (long)s["totalTokens"]!);
            var priced = calls.Where(c => Price(c) is not null).ToList();
            AssertMoney(priced.Count == 0 ? null : priced.Sum(c => Price(c)!.Value), s["costUsd"]);

            var latencies = calls.Select(c => (long)c.LatencyMs).Order().ToList();
            var median = latencies.Count % 2 == 1 ? latencies[latencies.Count / 2]
                : (long)Math.Round((latencies[latencies.Count / 2 - 1] + latencies[latencies.Count / 2]) / 2m, MidpointRounding.AwayFromZero);
            Assert.Equal(median, (long)item["latencyP50Ms"]!);
            Assert.Equal(latencies[(int)Math.Ceiling(0.95 * latencies.Count) - 1], (long)item["latencyP95Ms"]!);
            Assert.Equal(calls.Sum(c => c.ToolCalls), (int)item["toolCalls"]!);

            var byModel = item["tokensByModel"]!.AsArray().ToDictionary(m => (string)m!["model"]!);
            Assert.Equal(calls.Select(c => c.Model).Distinct().Order(), byModel.Keys.Order());
            foreach (var group in calls.GroupBy(c => c.Model))
            {
                var m = byModel[group.Key]!;
                Assert.Equal((group.Count(), group.Sum(c => c.Input), group.Sum(c => c.Output)), ((int)m["calls"]!, (int)m["inputTokens"]!, (int)m["outputTokens"]!));
                AssertMoney(Price(group.First()) is null ? null : group.Sum(c => Price(c)!.Value), m["costUsd"]);
            }

            var curve = item["cumulativeCostUsd"]!.AsArray();
            double? running = null;
            for (var t = 0; t < calls.Count; t++)
            {
                if (Price(calls[t]) is { } p)
                    running = (running ?? 0) + p;
                AssertMoney(running, curve[t]);
            }
            Assert.Equal(calls.Count, item["transcript"]!["turns"]!.AsArray().Count);
            Assert.Equal($"question {calls[0].Turn}", (string)item["transcript"]!["turns"]![0]!["messages"]![0]!["text"]!);
        }
    }

    [Theory]
    [InlineData("ids=only-one")]
    [InlineData("ids=a,b,c,d,e")]
    [InlineData("ids=a,a")]
    [InlineData("ids=a,,b")]
    [InlineData("")]
    public async Task FewerThanTwoOrMoreThanFour_Is400NamingTheParameter(string query)
    {
        var response = await app.ClientWithKey().GetAsync($"/api/v1/sessions/compare?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ids", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task UnknownOrOtherProjectsSession_Is404NamingTheId()
    {
        var (_, key) = await app.CreateProjectAsync("Compare 404");
        var client = app.ClientWithKey(key);
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Body([new Sent("known", 0, "gpt-4o", 10, 1, 100, false, 0)]))).StatusCode);
        var (_, otherKey) = await app.CreateProjectAsync("Compare 404 other");
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWithKey(otherKey).IngestAsync(Body([new Sent("theirs", 0, "gpt-4o", 10, 1, 100, false, 0)]))).StatusCode);

        var response = await client.GetAsync("/api/v1/sessions/compare?ids=known,theirs");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var detail = (string)(await response.ReadJsonAsync())["detail"]!;
        Assert.Contains("\"theirs\"", detail);
        Assert.DoesNotContain("\"known\"", detail);
    }

    private static void AssertMoney(double? expected, JsonNode? actual)
    {
        if (expected is null)
            Assert.Null(actual);
        else
            Assert.Equal(expected.Value, (double)actual!, 12);
    }
}
