using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using static Zespan.Server.Tests.OtlpBodies;

namespace Zespan.Server.Tests;

/// <summary>
/// Issue 18 over real HTTP and a real SQLite file: activeDurationMs and idleGapCount (list, detail, sort, filter, the
/// project's threshold), names (sessionName, metadata session.name, OTLP session.name, first user message) and q=,
/// and the overview charts' figures — each recomputed here by hand from what was sent.
/// </summary>
public sealed class SessionActivityApiTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private static string At(int minute, int second = 0) => $"2026-11-20T10:{minute:00}:{second:00}.000Z";

    private static string UserSays(string text) => $"\"input\":[{{\"role\":\"system\",\"content\":\"Be brief.\"}},{{\"role\":\"user\",\"content\":\"{text}\"}}]";

    /// <summary>
    /// "walk": calls at 10:00–10:01, 10:03–10:04 (2 min: active), 10:20–10:21 (16 min: idle), 10:22–10:22:30 (1 min: active):
    /// wall 22m30s, one idle gap of 16 min, active 6m30s. Named from its first user message.
    /// "named": one call named by metadata, another (later) by sessionName: the earliest explicit name wins.
    /// </summary>
    private async Task<HttpClient> SeedAsync(string project)
    {
        var (_, key) = await app.CreateProjectAsync(project);
        var client = app.ClientWithKey(key);
        var body = Api.Batch(
            Api.Span("w3", "walk", start: At(20), end: At(21), extra: UserSays("Third question")),
            Api.Span("w1", "walk", start: At(0), end: At(1), extra: UserSays("  Where is   my order #42?  ")),
            Api.Span("w4", "walk", start: At(22), end: At(22, 30), model: "no-such-model"),
            Api.Span("w2", "walk", start: At(3), end: At(4), extra: UserSays("Second question")),
            Api.Span("n2", "named", start: At(5), end: At(6), extra: "\"sessionName\":\"Later explicit name\""),
            Api.Span("n1", "named", start: At(1), end: At(2), extra: "\"metadata\":{\"session.name\":\"Refund for <b>Alice</b>\"}," + UserSays("ignored")),
            Api.Span("q1", "quiet", start: At(0), end: At(0, 10)));
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(body)).StatusCode);
        return client;
    }

    private static JsonObject Item(JsonNode page, string id) => page["data"]!.AsArray().Single(s => (string)s!["sessionId"]! == id)!.AsObject();

    [Fact]
    public async Task ListAndDetail_CarryActiveTimeIdleGapsAndNames()
    {
        var client = await SeedAsync("Activity");
        var page = await client.GetJsonAsync("/api/v1/sessions");
        var walk = Item(page, "walk");
        Assert.Equal(22 * 60_000 + 30_000, (long)walk["durationMs"]!);
        Assert.Equal(6 * 60_000 + 30_000, (long)walk["activeDurationMs"]!);
        Assert.Equal(1, (int)walk["idleGapCount"]!);
        Assert.Equal("Where is my order #42?", (string)walk["name"]!);
        Assert.Equal("Refund for <b>Alice</b>", (string)Item(page, "named")["name"]!);
        Assert.Null(Item(page, "quiet")["name"]);
        Assert.Equal(10_000, (long)Item(page, "quiet")["activeDurationMs"]!);

        var detail = await client.GetJsonAsync("/api/v1/sessions/walk");
        Assert.Equal(300_000, (long)detail["session"]!["idleGapThresholdMs"]!);
        Assert.Equal(6 * 60_000 + 30_000, (long)detail["session"]!["activeDurationMs"]!);
        var gap = Assert.Single(detail["idleGaps"]!.AsArray())!;
        Assert.Equal((At(4), At(20), 16 * 60_000L), ((string)gap["from"]!, (string)gap["to"]!, (long)gap["durationMs"]!));
    }

    [Fact]
    public async Task SortFilterAndSearch_ByActiveTimeAndName()
    {
        var client = await SeedAsync("Filters");
        var byActive = await client.GetJsonAsync("/api/v1/sessions?sort=activeDurationMs&order=desc");
        Assert.Equal(["walk", "named", "quiet"], byActive["data"]!.AsArray().Select(s => (string)s!["sessionId"]!));
        var byGaps = await client.GetJsonAsync("/api/v1/sessions?sort=idleGapCount&order=desc&limit=1");
        Assert.Equal("walk", (string)byGaps["data"]![0]!["sessionId"]!);

        // named: 10:01–10:06 with a 3-minute gap, active 5 min.
        var over = await client.GetJsonAsync("/api/v1/sessions?minActiveMs=300000");
        Assert.Equal(2, (long)over["totalCount"]!);
        var between = await client.GetJsonAsync("/api/v1/sessions?minActiveMs=300000&maxActiveMs=300000");
        Assert.Equal(["named"], between["data"]!.AsArray().Select(s => (string)s!["sessionId"]!));
        Assert.Equal(1, (long)(await client.GetJsonAsync("/api/v1/sessions/stats?minActiveMs=300000&maxActiveMs=300000"))["sessions"]!);

        Assert.Equal(["named"], (await client.GetJsonAsync("/api/v1/sessions?q=ALICE"))["data"]!.AsArray().Select(s => (string)s!["sessionId"]!));
        Assert.Equal(["quiet"], (await client.GetJsonAsync("/api/v1/sessions?q=uie"))["data"]!.AsArray().Select(s => (string)s!["sessionId"]!));
        Assert.Equal(0, (long)(await client.GetJsonAsync("/api/v1/sessions?q=%25"))["totalCount"]!); // % is matched literally
    }

    [Fact]
    public async Task ShortSearch_IsExactBeforeAndAfterTheServerIndexesItsGrams()
    {
        // q= of one or two characters (migration 350): the server's background loop indexes the new sessions' grams; the
        // answer is the same before (pending, LIKE-tested) and after (from the index). "al": walk's id, named's "Alice".
        var client = await SeedAsync("Grams");
        async Task<string[]> SearchAsync(string q) =>
            [.. (await client.GetJsonAsync("/api/v1/sessions?q=" + Uri.EscapeDataString(q)))["data"]!.AsArray().Select(s => (string)s!["sessionId"]!).Order(StringComparer.Ordinal)];
        string[] al = ["named", "walk"], e = ["named", "quiet", "walk"], bracket = ["named"];
        Assert.Equal(al, await SearchAsync("AL"));
        var storage = app.Services.GetRequiredService<Zespan.Storage.Sqlite.SqliteStorage>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await PendingAsync(storage) > 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the server's gram indexer did not run");
            await Task.Delay(100);
        }
        Assert.Equal(al, await SearchAsync("AL"));
        Assert.Equal(e, await SearchAsync("e"));
        Assert.Equal(bracket, await SearchAsync("<"));
        Assert.Equal(0, (long)(await client.GetJsonAsync("/api/v1/sessions?q=_"))["totalCount"]!);
    }

    private static async Task<long> PendingAsync(Zespan.Storage.Sqlite.SqliteStorage storage)
    {
        await using var connection = await storage.Database.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM session_grams_pending";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task TheProjectThreshold_IsSettable_AndEverySessionIsRecomputed()
    {
        var client = await SeedAsync("Threshold");
        Assert.Equal(300_000, (long)(await client.GetJsonAsync("/api/v1/settings/sessions"))["idleGapMs"]!);
        var put = await client.PutAsync("/api/v1/settings/sessions", Api.Json("{\"idleGapMs\": 1200000}"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var walk = Item(await client.GetJsonAsync("/api/v1/sessions"), "walk");
        Assert.Equal((0, 22 * 60_000 + 30_000L), ((int)walk["idleGapCount"]!, (long)walk["activeDurationMs"]!));
        // Under 90 seconds, the 2- and 3-minute gaps are idle too.
        await client.PutAsync("/api/v1/settings/sessions", Api.Json("{\"idleGapMs\": 90000}"));
        var page = await client.GetJsonAsync("/api/v1/sessions");
        Assert.Equal((2, 22 * 60_000 + 30_000L - 2 * 60_000 - 16 * 60_000), ((int)Item(page, "walk")["idleGapCount"]!, (long)Item(page, "walk")["activeDurationMs"]!));
        Assert.Equal(1, (int)Item(page, "named")["idleGapCount"]!);
        // Spans written afterwards use the new threshold too.
        await client.IngestAsync(Api.Batch(Api.Span("w5", "walk", start: At(25), end: At(26))));
        Assert.Equal(3, (int)Item(await client.GetJsonAsync("/api/v1/sessions"), "walk")["idleGapCount"]!);
    }

    [Theory]
    [InlineData("/api/v1/sessions?minActiveMs=-1", "minActiveMs")]
    [InlineData("/api/v1/sessions?maxActiveMs=5m", "maxActiveMs")]
    [InlineData("/api/v1/sessions?minActiveMs=10&maxActiveMs=5", "maxActiveMs")]
    [InlineData("/api/v1/sessions?maxTurns=x", "maxTurns")]
    [InlineData("/api/v1/sessions?sort=activeTime", "sort")]
    [InlineData("/api/v1/sessions/overview?minActiveMs=abc", "minActiveMs")]
    public async Task BadParameters_AreRefusedNamingTheField(string url, string field)
    {
        var response = await app.ClientWithKey().GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{field}\"", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task BadSettings_AreRefused_AndALongSearchToo()
    {
        var client = app.ClientWithKey();
        foreach (var body in new[] { "{\"idleGapMs\": 10}", "{}", "{\"idleGapMs\": 86400001}" })
        {
            var response = await client.PutAsync("/api/v1/settings/sessions", Api.Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("idleGapMs", (string)(await response.ReadJsonAsync())["detail"]!);
        }
        var search = await client.GetAsync("/api/v1/sessions?q=" + new string('a', 257));
        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);
    }

    [Fact]
    public async Task Overview_SessionsPerDay_CostPercentiles_AndTurns()
    {
        var client = await SeedAsync("Overview");
        var other = Api.Span("d2", "day-two", start: "2026-11-21T09:00:00.000Z", end: "2026-11-21T09:00:01.000Z", model: "no-such-model");
        await client.IngestAsync(Api.Batch(other));
        var overview = await client.GetJsonAsync("/api/v1/sessions/overview");
        var days = overview["days"]!.AsArray();
        Assert.Equal(["2026-11-20T00:00:00.000Z", "2026-11-21T00:00:00.000Z"], days.Select(d => (string)d!["day"]!));
        Assert.Equal(3, (long)days[0]!["sessions"]!);
        // The unpriced day has an unknown cost per session (null), not $0.
        Assert.Null(days[1]!["medianCostUsd"]);
        Assert.Null(days[1]!["p95CostUsd"]);
        Assert.Equal(0, (long)days[1]!["pricedSessions"]!);
        var turns = overview["turns"]!.AsArray();
        Assert.Equal(2, (long)turns[0]!["sessions"]!); // quiet, day-two
        Assert.Equal(1, (long)turns[1]!["sessions"]!); // named
        Assert.Equal(1, (long)turns[2]!["sessions"]!); // walk (4 turns)
        var filtered = await client.GetJsonAsync("/api/v1/sessions/overview?q=walk");
        Assert.Equal(1, filtered["days"]!.AsArray().Sum(d => (long)d!["sessions"]!));
    }

    [Fact]
    public async Task Otlp_SessionNameAttribute_AndTheFirstUserMessageOfGenAiMessages()
    {
        var (_, key) = await app.CreateProjectAsync("Otlp names");
        var client = app.ClientWithKey(key);
        var trace = NewTraceId();
        var request = Traces([("service.name", "shop")],
            Span(trace, 1, null, "chat", 0, 1_000, ("gen_ai.operation.name", "chat"), ("gen_ai.conversation.id", "otlp-named"),
                ("gen_ai.request.model", "gpt-4o"), ("session.name", "Checkout help")),
            Span(trace, 2, null, "chat", 2_000, 3_000, ("gen_ai.operation.name", "chat"), ("gen_ai.conversation.id", "otlp-derived"),
                ("gen_ai.request.model", "gpt-4o"),
                ("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"Where is my parcel?"}]}]""")));
        Assert.Null((await (await client.PostAsync("/v1/traces", request)).TraceResponseAsync()).PartialSuccess);
        Assert.Equal("Checkout help", (string)(await client.GetJsonAsync("/api/v1/sessions/otlp-named"))["session"]!["name"]!);
        Assert.Equal("Where is my parcel?", (string)(await client.GetJsonAsync("/api/v1/sessions/otlp-derived"))["session"]!["name"]!);
    }
}
