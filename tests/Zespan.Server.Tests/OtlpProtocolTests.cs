using System.Net;
using System.Net.Http.Headers;
using static Zespan.Server.Tests.OtlpBodies;

namespace Zespan.Server.Tests;

/// <summary>OTLP/HTTP as a client sees it: encodings, partial success, gzip, the refusal codes, and no redirect for machines.</summary>
public sealed class OtlpProtocolTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private readonly HttpClient _client = app.ClientWithKey();

    private static Zespan.Server.Otlp.Proto.Trace.Span Call(string trace, int id, string session, int startMs = 0, int endMs = 100) =>
        Span(trace, id, null, "chat", startMs, endMs, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"),
            ("session.id", session), ("gen_ai.usage.input_tokens", 10L), ("gen_ai.usage.output_tokens", 1L));

    [Fact]
    public async Task PartialSuccess_NamesEachRefusedSpan_NeighboursStored()
    {
        var trace = NewTraceId();
        var session = "partial-" + trace[..8];
        var noSpanId = Call(trace, 9, session);
        noSpanId.SpanId = Google.Protobuf.ByteString.Empty;
        var backwards = Call(trace, 2, session, startMs: 500, endMs: 100);
        var response = await (await _client.PostAsync("/v1/traces", Traces([], Call(trace, 1, session), noSpanId, backwards))).TraceResponseAsync();

        Assert.Equal(2, response.PartialSuccess.RejectedSpans);
        Assert.Contains("has no valid spanId", response.PartialSuccess.ErrorMessage);
        Assert.Contains($"span {SpanId(2)} of trace {trace}", response.PartialSuccess.ErrorMessage);
        Assert.Contains("\"endTime\"", response.PartialSuccess.ErrorMessage);
        var s = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!;
        Assert.Equal(1, (int)s["turns"]!);
    }

    [Fact]
    public async Task Json_PartialSuccess_InJson()
    {
        var json = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[
              {"traceId":"not-hex","spanId":"00000000000000a1","name":"x","startTimeUnixNano":"1795514400000000000","endTimeUnixNano":"1795514400000000000"}]}]}]}
            """;
        var response = await _client.PostJsonAsync("/v1/traces", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("1", (string)body["partialSuccess"]!["rejectedSpans"]!); // int64 as a string in OTLP JSON
        Assert.Contains("no valid traceId", (string)body["partialSuccess"]!["errorMessage"]!);
    }

    [Fact]
    public async Task Gzip_BothDoors_BadGzipIs400_BombIs413()
    {
        var trace = NewTraceId();
        Assert.Null((await (await _client.PostAsync("/v1/traces", Traces([], Call(trace, 1, "gz-" + trace[..8])), gzip: true)).TraceResponseAsync()).PartialSuccess);
        Assert.Equal(1, (int)(await _client.GetJsonAsync($"/api/v1/sessions/gz-{trace[..8]}"))["session"]!["turns"]!);

        var ingest = new ByteArrayContent(Gzip(System.Text.Encoding.UTF8.GetBytes(Api.Batch(Api.Span("gz-json-" + trace, sessionId: "gz-json-" + trace[..8])))));
        ingest.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        ingest.Headers.ContentEncoding.Add("gzip");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/api/v1/ingest", ingest)).StatusCode);
        Assert.Equal(1, (int)(await _client.GetJsonAsync($"/api/v1/sessions/gz-json-{trace[..8]}"))["session"]!["turns"]!);

        var bad = new ByteArrayContent([1, 2, 3, 4, 5]);
        bad.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        bad.Headers.ContentEncoding.Add("gzip");
        var badResponse = await _client.PostAsync("/v1/traces", bad);
        Assert.Equal(HttpStatusCode.BadRequest, badResponse.StatusCode);
        Assert.Contains("not valid gzip", await badResponse.Content.ReadAsStringAsync());

        // 11 MB of zeros compresses to ~11 KB; the decompressed size is what the limit (10 MB) holds.
        var bomb = new ByteArrayContent(Gzip(new byte[11 * 1024 * 1024]));
        bomb.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        bomb.Headers.ContentEncoding.Add("gzip");
        var bombResponse = await _client.PostAsync("/v1/traces", bomb);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bombResponse.StatusCode);
        Assert.Contains("decompresses to more than", await bombResponse.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refusals_Undecodable400_NoKey401_WrongType415()
    {
        var garbage = new ByteArrayContent([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        garbage.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        var undecodable = await _client.PostAsync("/v1/traces", garbage);
        Assert.Equal(HttpStatusCode.BadRequest, undecodable.StatusCode);
        Assert.Equal("application/problem+json", undecodable.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostJsonAsync("/v1/traces", "{\"resourceSpans\": [")).StatusCode);

        var anonymous = await app.CreateClient().PostAsync("/v1/traces", Traces([]));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWithKey("zsp_unknown").PostAsync("/v1/logs", Logs())).StatusCode);

        var text = await _client.PostAsync("/v1/traces", new StringContent("hello"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
    }

    [Theory]
    [InlineData("/v1/traces", """{"resourceSpans":[],"resourceSpans":5}""", "resourceSpans")]
    [InlineData("/v1/traces", """{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"a","name":"b"}]}]}]}""", "name")]
    [InlineData("/v1/logs", """{"resourceLogs":[],"resourceLogs":[]}""", "resourceLogs")]
    [InlineData("/api/public/otel/v1/traces", """{"resourceSpans":[{"resource":{"attributes":[],"attributes":[]}}]}""", "attributes")]
    public async Task Json_KeyGivenTwiceInAnObject_Is400NamingIt(string path, string body, string key)
    {
        var response = await _client.PostJsonAsync(path, body); // a 500 before
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"Key: {key}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("POST", "/v1/metrics", null)]
    [InlineData("POST", "/v1/traces/extra", null)]
    [InlineData("GET", "/api/v2/sessions", "text/html")]
    [InlineData("GET", "/api/nothing", null)]
    [InlineData("POST", "/otlp/v1/traces", "application/json")]
    public async Task UnknownPathsForMachines_Are404ProblemJson_NeverARedirect(string method, string path, string? accept)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new ByteArrayContent([]) : null };
        if (accept is not null)
            request.Headers.Accept.ParseAdd(accept);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TracesWithoutKey_Is401NotARedirect()
    {
        // Before the OTLP door, this answered 302 to /login, which OTLP exporters count as success.
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.PostAsync("/v1/traces", new ByteArrayContent([]) { Headers = { ContentType = new("application/x-protobuf") } });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task BrowserOnUnknownPage_StillGoesToLogin()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ContentSentAsLogs_AttachesWhicheverArrivesFirst(bool logsFirst)
    {
        var trace = NewTraceId();
        var session = "logs-" + trace[..8];
        var logs = Logs(
            Log(trace, 1, "gen_ai.user.message", Map(("content", "What is 2+2?"))),
            Log(trace, 1, "gen_ai.choice", Map(("index", 0), ("finish_reason", "stop"), ("message", Map(("role", "assistant"), ("content", "4"))))),
            Log(trace, 7, "app.log", Any("not GenAI content")));
        var traces = Traces([], Call(trace, 1, session));
        if (logsFirst)
            Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/v1/logs", logs)).StatusCode);
        await (await _client.PostAsync("/v1/traces", traces)).TraceResponseAsync();
        if (!logsFirst)
            Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/v1/logs", logs)).StatusCode);
        // A re-sent span without content keeps the content the logs brought.
        await (await _client.PostAsync("/v1/traces", traces)).TraceResponseAsync();

        var span = (await _client.GetJsonAsync($"/api/v1/traces/{trace}"))["spans"]![0]!;
        Assert.Equal("""[{"role":"user","content":"What is 2+2?"}]""", Text(span["input"]!));
        Assert.Equal("""[{"role":"assistant","content":"4","finish_reason":"stop"}]""", Text(span["output"]!));
        Assert.Equal(1, (int)(await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!["turns"]!);
    }
}
