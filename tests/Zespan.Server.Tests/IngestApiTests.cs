using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>POST /api/v1/ingest and the read API through real HTTP handling over a real SQLite file.</summary>
public sealed class IngestApiTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private readonly HttpClient _client = app.ClientWithKey();

    [Fact]
    public async Task Server_UsesTheConfiguredDataFolder()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health")).StatusCode);
        Assert.True(File.Exists(Path.Combine(app.DataDirectory, "zespan.db")), "ZESPAN_DATA was not used");
    }

    [Fact]
    public async Task Ingest_ContractExample_ReadsBackAsComputedByHand()
    {
        // The contract's example span, plus a second, failed call on a dated gpt-4o-mini snapshot in another trace.
        var first = """
            {"id":"ex-1","traceId":"ex-trace-1","parentId":null,"sessionId":"ex-conv","userId":"ex-user","name":"chat.completions.create",
             "kind":"llm","model":"gpt-4o","provider":"openai","startTime":"2026-11-24T10:00:00.000Z","endTime":"2026-11-24T10:00:01.250Z",
             "usage":{"inputTokens":1200,"outputTokens":300,"cachedInputTokens":1000,"reasoningTokens":0},"costUsd":null,"status":"ok",
             "error":null,"input":[{"role":"user","content":"Where is my order?"}],"output":{"role":"assistant","content":"On its way."},
             "metadata":{"feature":"support-chat"},"tags":["beta"]}
            """;
        var second = """
            {"id":"ex-2","traceId":"ex-trace-2","sessionId":"ex-conv","userId":"other-user","name":"chat.completions.create","kind":"llm",
             "model":"gpt-4o-mini-2024-07-18","startTime":"2026-11-24T10:00:05.000Z","endTime":"2026-11-24T10:00:05.750Z",
             "usage":{"inputTokens":500,"outputTokens":50,"cachedInputTokens":100,"reasoningTokens":20},"status":"error","error":"context length exceeded"}
            """;
        var response = await _client.IngestAsync(Api.Batch(first, second));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(2, (int)body["accepted"]!);
        Assert.Empty(body["errors"]!.AsArray());

        // By hand: 200 × 2.50 + 1000 × 1.25 + 300 × 10.00 = 4750 µ$  →  $0.00475
        //          400 × 0.15 + 100 × 0.075 + 50 × 0.60  = 97.5 µ$   →  $0.0000975
        const double firstCost = 0.00475, secondCost = 0.0000975;
        var detail = await _client.GetJsonAsync("/api/v1/sessions/ex-conv");
        var session = detail["session"]!;
        Assert.Equal("ex-conv", (string)session["sessionId"]!);
        Assert.Equal("ex-user", (string)session["userId"]!);
        Assert.Equal("2026-11-24T10:00:00.000Z", (string)session["startedAt"]!);
        Assert.Equal("2026-11-24T10:00:05.750Z", (string)session["endedAt"]!);
        Assert.Equal(5_750, (long)session["durationMs"]!);
        Assert.Equal(2, (int)session["turns"]!);
        Assert.Equal(firstCost + secondCost, (double)session["costUsd"]!, 12);
        Assert.Equal(1_700, (long)session["inputTokens"]!);
        Assert.Equal(350, (long)session["outputTokens"]!);
        Assert.Equal(2_050, (long)session["totalTokens"]!);
        Assert.Equal(1, (int)session["errorCount"]!);
        Assert.Equal("error", (string)session["status"]!);
        Assert.Equal((1_250 + 750) / 2.0, (double)session["avgLatencyMs"]!);
        Assert.Equal(0, (int)session["unpricedCalls"]!);

        var timeline = detail["timeline"]!.AsArray();
        Assert.Equal(["ex-1", "ex-2"], timeline.Select(t => (string)t!["spanId"]!));
        Assert.Equal(("ex-trace-1", "gpt-4o", 1_250L, 1_200L, 300L, 1_500L, "ok"),
            ((string)timeline[0]!["traceId"]!, (string)timeline[0]!["model"]!, (long)timeline[0]!["latencyMs"]!, (long)timeline[0]!["inputTokens"]!,
             (long)timeline[0]!["outputTokens"]!, (long)timeline[0]!["totalTokens"]!, (string)timeline[0]!["status"]!));
        Assert.Equal(firstCost, (double)timeline[0]!["costUsd"]!, 12);
        Assert.Equal(secondCost, (double)timeline[1]!["costUsd"]!, 12);
        Assert.Equal("context length exceeded", (string)timeline[1]!["error"]!);
        Assert.Equal("2026-11-24T10:00:05.000Z", (string)timeline[1]!["startTime"]!);

        // The list item has the same figures.
        var list = await _client.GetJsonAsync("/api/v1/sessions?userId=ex-user");
        var item = Assert.Single(list["data"]!.AsArray())!;
        Assert.Equal(1, (long)list["totalCount"]!);
        Assert.Null(list["nextCursor"]);
        foreach (var field in new[] { "sessionId", "userId", "startedAt", "endedAt", "durationMs", "turns", "costUsd", "inputTokens", "outputTokens", "totalTokens", "errorCount", "status", "unpricedCalls" })
            Assert.Equal(session[field]!.ToJsonString(), item[field]!.ToJsonString());
        var userSessions = await _client.GetJsonAsync("/api/v1/users/ex-user/sessions");
        Assert.Equal("ex-conv", (string)userSessions["data"]![0]!["sessionId"]!);

        // The trace has everything needed for a flame graph.
        var trace = await _client.GetJsonAsync("/api/v1/traces/ex-trace-1");
        Assert.Equal("ex-trace-1", (string)trace["traceId"]!);
        var span = Assert.Single(trace["spans"]!.AsArray())!;
        Assert.Equal(("ex-1", "llm", "ex-conv", "ex-user", 1_000L), ((string)span["id"]!, (string)span["kind"]!, (string)span["sessionId"]!,
            (string)span["userId"]!, (long)span["usage"]!["cachedInputTokens"]!));
        Assert.Null(span["parentId"]);
        Assert.Equal("Where is my order?", (string)span["input"]![0]!["content"]!);
        Assert.Equal("On its way.", (string)span["output"]!["content"]!);
        Assert.Equal("support-chat", (string)span["metadata"]!["feature"]!);
        Assert.Equal(["beta"], span["tags"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(firstCost, (double)span["costUsd"]!, 12);
    }

    [Fact]
    public async Task Ingest_DuplicateSpanId_CountsOnce()
    {
        var span = Api.Span("dup-1", sessionId: "dup-conv", traceId: "dup-trace");
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(Api.Batch(span, span))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(Api.Batch(span))).StatusCode);
        var session = (await _client.GetJsonAsync("/api/v1/sessions/dup-conv"))["session"]!;
        Assert.Equal((1, 100L), ((int)session["turns"]!, (long)session["inputTokens"]!));
        Assert.Single((await _client.GetJsonAsync("/api/v1/traces/dup-trace"))["spans"]!.AsArray());
    }

    [Fact]
    public async Task Ingest_ClientCost_WinsOverThePriceTable()
    {
        await _client.IngestAsync(Api.Batch(Api.Span("client-cost", sessionId: "client-cost-conv", traceId: "client-cost-trace", input: 1_000_000, extra: "\"costUsd\":0.5")));
        var span = (await _client.GetJsonAsync("/api/v1/traces/client-cost-trace"))["spans"]![0]!;
        Assert.Equal(0.5, (double)span["costUsd"]!);
        Assert.Equal("client", (string)span["costSource"]!);
        Assert.Equal(0.5, (double)(await _client.GetJsonAsync("/api/v1/sessions/client-cost-conv"))["session"]!["costUsd"]!);
    }

    [Fact]
    public async Task Ingest_UnknownModel_HasNullCostAndCountsAsUnpriced()
    {
        await _client.IngestAsync(Api.Batch(
            Api.Span("unpriced-1", sessionId: "unpriced-conv", traceId: "unpriced-trace", model: "in-house-llm-v7"),
            Api.Span("unpriced-2", sessionId: "half-conv", traceId: "unpriced-trace", model: "in-house-llm-v7"),
            Api.Span("priced-2", sessionId: "half-conv", traceId: "unpriced-trace", model: "gpt-4o", input: 1_000, output: 0)));

        var all = (await _client.GetJsonAsync("/api/v1/sessions/unpriced-conv"))["session"]!;
        Assert.Null(all["costUsd"]); // unknown, never a silent $0
        Assert.Equal(1, (int)all["unpricedCalls"]!);
        var half = (await _client.GetJsonAsync("/api/v1/sessions/half-conv"))["session"]!;
        Assert.Equal(0.0025, (double)half["costUsd"]!, 12);
        Assert.Equal(1, (int)half["unpricedCalls"]!);
        var span = (await _client.GetJsonAsync("/api/v1/traces/unpriced-trace"))["spans"]!.AsArray().First(s => (string)s!["id"]! == "unpriced-1")!;
        Assert.Null(span["costUsd"]);
        var models = await _client.GetJsonAsync("/api/v1/costs/models");
        var inHouse = models["data"]!.AsArray().Single(m => (string?)m!["model"] == "in-house-llm-v7")!;
        Assert.Equal((2L, 2L), ((long)inHouse["calls"]!, (long)inHouse["unpricedCalls"]!));
    }

    [Fact]
    public async Task Ingest_LlmCallWithoutUsage_HasNullCostAndCountsAsUnpriced_NeverZero()
    {
        // A priced model, so only the missing usage can make the cost unknown: a stream without include_usage.
        var noUsage = Api.Span("no-usage-1", sessionId: "no-usage-conv", traceId: "no-usage-trace", model: "gpt-4o");
        var nullUsage = Api.Span("no-usage-2", sessionId: "no-usage-conv", traceId: "no-usage-trace", model: "gpt-4o", extra: "\"usage\":null");
        var priced = Api.Span("no-usage-3", sessionId: "no-usage-conv", traceId: "no-usage-trace", model: "gpt-4o", input: 1_000, output: 0);
        var failed = Api.Span("no-usage-4", sessionId: "no-usage-conv", traceId: "no-usage-trace", model: "gpt-4o", extra: "\"usage\":null,\"status\":\"error\",\"error\":\"429 Rate limit\"");
        var batch = Api.Batch(WithoutUsage(noUsage), nullUsage, priced, failed);
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(batch)).StatusCode);

        var spans = (await _client.GetJsonAsync("/api/v1/traces/no-usage-trace"))["spans"]!.AsArray();
        JsonNode SpanById(string id) => spans.First(s => (string)s!["id"]! == id)!;
        Assert.Null(SpanById("no-usage-1")["costUsd"]);
        Assert.Null(SpanById("no-usage-2")["costUsd"]);
        Assert.Equal(0.0025, (double)SpanById("no-usage-3")["costUsd"]!, 12);
        Assert.Equal(0.0, (double)SpanById("no-usage-4")["costUsd"]!); // a refused request is not billed
        // Unknown usage is null at the span and call level, never zeros; the session's sums cover the reported calls.
        Assert.Null(SpanById("no-usage-1")["usage"]);
        Assert.Null(SpanById("no-usage-2")["usage"]);
        Assert.Null(SpanById("no-usage-4")["usage"]);
        Assert.Equal(1_000, (long)SpanById("no-usage-3")["usage"]!["inputTokens"]!);
        var detail = await _client.GetJsonAsync("/api/v1/sessions/no-usage-conv");
        var session = detail["session"]!;
        Assert.Equal(2, (int)session["unpricedCalls"]!);
        Assert.Equal(4, (int)session["turns"]!);
        Assert.Equal(3, (int)session["unknownUsageCalls"]!);
        Assert.Equal(1_000, (long)session["totalTokens"]!);
        var timeline = detail["timeline"]!.AsArray().ToDictionary(e => (string)e!["spanId"]!, e => e!);
        foreach (var unknown in new[] { "no-usage-1", "no-usage-2", "no-usage-4" })
        {
            foreach (var field in new[] { "inputTokens", "outputTokens", "cachedInputTokens", "reasoningTokens", "totalTokens" })
            {
                Assert.True(timeline[unknown].AsObject().ContainsKey(field), $"{unknown}.{field} is sent, as null");
                Assert.Null(timeline[unknown][field]);
            }
        }
        Assert.Equal(1_000, (long)timeline["no-usage-3"]["totalTokens"]!);

        // A re-send that now carries usage makes the call known (the stored span is replaced, not kept unknown).
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(Api.Batch(
            Api.Span("no-usage-1", sessionId: "no-usage-conv", traceId: "no-usage-trace", model: "gpt-4o", input: 10, output: 5)))).StatusCode);
        var resent = (await _client.GetJsonAsync("/api/v1/traces/no-usage-trace"))["spans"]!.AsArray().First(s => (string)s!["id"]! == "no-usage-1")!;
        Assert.Equal(15, (long)resent["usage"]!["inputTokens"]! + (long)resent["usage"]!["outputTokens"]!);
        Assert.Equal(2, (int)(await _client.GetJsonAsync("/api/v1/sessions/no-usage-conv"))["session"]!["unknownUsageCalls"]!);
    }

    private static string WithoutUsage(string span)
    {
        var node = JsonNode.Parse(span)!.AsObject();
        node.Remove("usage");
        return node.ToJsonString();
    }

    [Fact]
    public async Task Ingest_NoKey_Gets401_AndNothingIsWritten()
    {
        var anonymous = app.ClientWithKey(null);
        var response = await anonymous.IngestAsync(Api.Batch(Api.Span("nokey-1", sessionId: "nokey-conv")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Authorization: Bearer", (string)(await response.ReadJsonAsync())["detail"]!);

        var wrong = app.ClientWithKey("zsp_this_key_was_never_issued_000");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.IngestAsync(Api.Batch(Api.Span("nokey-2", sessionId: "nokey-conv")))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWithKey("not-even-a-key").GetAsync("/api/v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/sessions/nokey-conv")).StatusCode);
    }

    [Fact]
    public async Task Ingest_SomeInvalidItems_Gets207NamingThem_AndStoresTheRest()
    {
        var response = await _client.IngestAsync(Api.Batch(
            Api.Span("mixed-ok-1", sessionId: "mixed-conv"),
            Api.Span("mixed-bad", sessionId: "mixed-conv", extra: "\"kind\":\"tool\""),
            Api.Span("mixed-ok-2", sessionId: "mixed-conv", start: "2026-11-20T10:00:02.000Z", end: "2026-11-20T10:00:03.000Z")));
        Assert.Equal((HttpStatusCode)207, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(2, (int)body["accepted"]!);
        var error = Assert.Single(body["errors"]!.AsArray())!;
        Assert.Equal((1, "mixed-bad"), ((int)error["index"]!, (string)error["id"]!));
        Assert.Equal("\"kind\" must be \"llm\" or \"span\", not \"tool\".", (string)error["message"]!);
        Assert.Equal(2, (int)(await _client.GetJsonAsync("/api/v1/sessions/mixed-conv"))["session"]!["turns"]!);
    }

    [Fact]
    public async Task Ingest_BodyThatIsNoBatch_Gets400ProblemDetails()
    {
        foreach (var body in new[] { "{\"batch\": [", "[1,2,3]", "{\"spans\": []}", "{\"batch\": \"x\"}", "" })
        {
            var response = await _client.IngestAsync(body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"body '{body}' gave {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.ReadJsonAsync();
            Assert.Equal(400, (int)problem["status"]!);
            Assert.Contains("batch", (string)problem["detail"]!);
        }
    }

    [Fact]
    public async Task Ingest_EmptyBatch_IsAccepted()
    {
        var response = await _client.IngestAsync("{\"batch\":[]}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (int)(await response.ReadJsonAsync())["accepted"]!);
    }

    [Theory]
    [InlineData("PUT", "/api/v1/settings/sessions", "{\"idleGapMs\": 600000}")]
    [InlineData("PUT", "/api/v1/prices/charset-model", "{\"inputPerMillion\": 1, \"outputPerMillion\": 2}")]
    [InlineData("POST", "/api/v1/alerts/rules", "{}")]
    public async Task AJsonBodyInACharsetNobodyKnows_Is415NamingTheFix(string method, string path, string json)
    {
        var body = new StringContent(json);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=bogus");
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = body }); // a 500 before
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Send the JSON body as UTF-8", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ingest_ReadsItsOwnBytes_WhateverCharsetIsNamed()
    {
        var body = new StringContent(Api.Batch(Api.Span("charset-span", start: "2026-11-20T10:00:00.000Z")));
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=bogus");
        var response = await _client.PostAsync("/api/v1/ingest", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (int)(await response.ReadJsonAsync())["accepted"]!);
    }

    [Fact]
    public async Task OpenApiDocument_IsServedToKeyHolders_AndRefusedAnonymously()
    {
        var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var refused = await anonymous.GetAsync("/openapi/v1.json"); // a machine: a status and a problem, no redirect
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var browser = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        browser.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        var sent = await anonymous.SendAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode); // a browser: to the login page
        Assert.Contains("/login", sent.Headers.Location!.ToString());
        var response = await _client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.ReadJsonAsync();
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[] { "/api/v1/ingest", "/api/v1/sessions", "/api/v1/sessions/{sessionId}", "/api/v1/users/{userId}/sessions", "/api/v1/traces/{traceId}" })
            Assert.True(paths.ContainsKey(path) || paths.ContainsKey(path + "/"), $"{path} missing from the OpenAPI document: {string.Join(", ", paths.Select(p => p.Key))}");
    }
}
