using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>Hostile and broken input: each bad item gets a clear error by name while its valid neighbours are stored.</summary>
public sealed class BadInputTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private readonly HttpClient _client = app.ClientWithKey();

    /// <summary>Sends [good, bad, good] and returns the bad item's error after checking both neighbours were stored.</summary>
    private async Task<string> RejectedBetweenGoodNeighboursAsync(string name, string badItem)
    {
        var session = $"bad-{name}";
        var response = await _client.IngestAsync(Api.Batch(
            Api.Span($"{name}-before", sessionId: session, traceId: session),
            badItem,
            Api.Span($"{name}-after", sessionId: session, traceId: session, start: "2026-11-20T10:00:05.000Z", end: "2026-11-20T10:00:06.000Z")));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == (HttpStatusCode)207, $"{name}: {(int)response.StatusCode} {text}");
        var body = JsonNode.Parse(text)!;
        Assert.Equal(2, (int)body["accepted"]!);
        var error = Assert.Single(body["errors"]!.AsArray())!;
        Assert.Equal(1, (int)error["index"]!);
        var timeline = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["timeline"]!.AsArray();
        Assert.Equal([$"{name}-before", $"{name}-after"], timeline.Select(t => (string)t!["spanId"]!));
        return (string)error["message"]!;
    }

    [Theory]
    [InlineData("missing-id", "\"id\"", "\"id\" is required.")]
    [InlineData("missing-trace", "\"traceId\"", "\"traceId\" is required.")]
    [InlineData("missing-start", "\"startTime\"", "\"startTime\" is required.")]
    public async Task Ingest_MissingRequiredField_IsNamed(string name, string field, string message)
    {
        var item = JsonNode.Parse(Api.Span(name))!.AsObject();
        item.Remove(field.Trim('"'));
        Assert.Equal(message, await RejectedBetweenGoodNeighboursAsync(name, item.ToJsonString()));
    }

    [Theory]
    [InlineData("wrong-type-id", "\"id\":12345", "\"id\" must be a string, not the number 12345.")]
    [InlineData("wrong-type-usage", "\"usage\":{\"inputTokens\":\"many\"}", "\"usage.inputTokens\" must be a whole number, not the string \"many\".")]
    [InlineData("wrong-type-tags", "\"tags\":{\"a\":1}", "\"tags\" must be an array of strings, not an object.")]
    [InlineData("negative-tokens", "\"usage\":{\"inputTokens\":100,\"outputTokens\":-3}", "\"usage.outputTokens\" is negative (-3); token counts are zero or more.")]
    [InlineData("year-1", "\"startTime\":\"0001-01-01T00:00:00.000Z\"", "\"startTime\" (0001-01-01T00:00:00.000Z) is before the year 2000; check the client's clock and that it sends milliseconds, not seconds.")]
    [InlineData("year-9999", "\"endTime\":\"9999-12-31T23:59:59.999Z\"", "\"endTime\" (9999-12-31T23:59:59.999Z) is more than a day in the future; check the client's clock.")]
    [InlineData("end-before-start", "\"endTime\":\"2026-11-20T09:59:59.000Z\"", "\"endTime\" (2026-11-20T09:59:59.000Z) is before \"startTime\" (2026-11-20T10:00:00.000Z).")]
    [InlineData("no-zone", "\"startTime\":\"2026-11-20T10:00:00\"", "\"startTime\" must be an ISO 8601 timestamp with a zone, such as 2026-11-24T10:00:00.123Z; got \"2026-11-20T10:00:00\".")]
    [InlineData("negative-cost", "\"costUsd\":-0.01", "\"costUsd\" (-0.01) must be between 0 and 1000000 dollars.")]
    public async Task Ingest_BadField_GetsAClearErrorAndNeighboursAreStored(string name, string field, string message)
    {
        var item = Api.Span(name, sessionId: $"bad-{name}", extra: field);
        Assert.Equal(message, await RejectedBetweenGoodNeighboursAsync(name, item));
    }

    [Fact]
    public async Task Ingest_TenThousandDeepInput_RejectsThatItemByName()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var item = Api.Span("deep", sessionId: "bad-deep").TrimEnd('}') + ",\"input\":" + deep + "}";
        var message = await RejectedBetweenGoodNeighboursAsync("deep", item);
        Assert.Equal("\"input\" is nested 10000 levels deep; the limit is 64.", message);
    }

    [Fact]
    public async Task Ingest_InputAtTheNestingLimit_IsStoredAndReadBack()
    {
        var nested = new string('[', 64) + "\"core\"" + new string(']', 64);
        var item = Api.Span("nested-64", sessionId: "nested-conv", traceId: "nested-trace").TrimEnd('}') + ",\"input\":" + nested + ",\"metadata\":{\"a\":" + new string('[', 63) + new string(']', 63) + "}}";
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(Api.Batch(item))).StatusCode);
        var response = await _client.GetAsync("/api/v1/traces/nested-trace");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
        Assert.Contains(nested, text);
    }

    [Fact]
    public async Task Ingest_InvalidUtf8InOneItem_RejectsThatItemAndStoresItsNeighbours()
    {
        var before = Api.Span("utf8-before", sessionId: "bad-utf8", traceId: "bad-utf8");
        var bad = Api.Span("utf8-bad", sessionId: "bad-utf8", traceId: "bad-utf8", extra: "\"input\":\"cafMARK\"");
        var after = Api.Span("utf8-after", sessionId: "bad-utf8", traceId: "bad-utf8", start: "2026-11-20T10:00:05.000Z", end: "2026-11-20T10:00:06.000Z");
        var bytes = Encoding.UTF8.GetBytes(Api.Batch(before, bad, after));
        var marker = Encoding.ASCII.GetBytes("MARK");
        var at = bytes.AsSpan().IndexOf(marker);
        Assert.True(at > 0);
        // 0xC3 0x28 is an invalid two-byte sequence; 0xFF never occurs in UTF-8.
        bytes[at] = 0xC3; bytes[at + 1] = 0x28; bytes[at + 2] = 0xFF; bytes[at + 3] = (byte)'x';

        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        var response = await _client.PostAsync("/api/v1/ingest", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == (HttpStatusCode)207, $"{(int)response.StatusCode}: {text}");
        var error = Assert.Single(JsonNode.Parse(text)!["errors"]!.AsArray())!;
        Assert.Equal((1, "utf8-bad"), ((int)error["index"]!, (string)error["id"]!));
        Assert.Contains("not valid UTF-8", (string)error["message"]!);
        var timeline = (await _client.GetJsonAsync("/api/v1/sessions/bad-utf8"))["timeline"]!.AsArray();
        Assert.Equal(["utf8-before", "utf8-after"], timeline.Select(t => (string)t!["spanId"]!));
    }

    [Fact]
    public async Task Ingest_InvalidUtf8InAnItemsId_StillRejectsOnlyThatItem()
    {
        var before = Api.Span("idutf8-before", sessionId: "bad-idutf8", traceId: "bad-idutf8");
        var bad = Api.Span("idMARK", sessionId: "bad-idutf8", traceId: "bad-idutf8");
        var after = Api.Span("idutf8-after", sessionId: "bad-idutf8", traceId: "bad-idutf8", start: "2026-11-20T10:00:05.000Z", end: "2026-11-20T10:00:06.000Z");
        var bytes = Encoding.UTF8.GetBytes(Api.Batch(before, bad, after));
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("MARK"));
        bytes[at] = 0xFF;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        var response = await _client.PostAsync("/api/v1/ingest", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == (HttpStatusCode)207, $"{(int)response.StatusCode}: {text}");
        var error = Assert.Single(JsonNode.Parse(text)!["errors"]!.AsArray())!;
        Assert.Equal(1, (int)error["index"]!);
        Assert.Contains("not valid UTF-8", (string)error["message"]!);
        Assert.Equal(2, (int)(await _client.GetJsonAsync("/api/v1/sessions/bad-idutf8"))["session"]!["turns"]!);
    }

    [Fact]
    public async Task Ingest_OneMegabytePrompt_IsStoredWholeAndReturnedByTheTrace()
    {
        var prompt = string.Concat(Enumerable.Range(0, 1_048_576 / 16).Select(i => $"{i:x8}-prompt-"))[..1_048_576];
        var item = Api.Span("big-prompt", sessionId: "big-conv", traceId: "big-trace",
            extra: $"\"input\":[{{\"role\":\"user\",\"content\":\"{prompt}\"}}]");
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(Api.Batch(item))).StatusCode);
        var span = (await _client.GetJsonAsync("/api/v1/traces/big-trace"))["spans"]![0]!;
        Assert.Equal(prompt, (string)span["input"]![0]!["content"]!);
    }

    [Fact]
    public async Task Ingest_FiftyMegabyteBody_Gets413AndNothingIsStored()
    {
        var item = Api.Span("huge-body", sessionId: "huge-conv", traceId: "huge-trace");
        var padding = new string(' ', 50 * 1024 * 1024);
        var response = await _client.IngestAsync("{\"batch\":[" + item + "]" + padding + "}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Split the batch", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/traces/huge-trace")).StatusCode);
    }

    [Fact]
    public async Task Ingest_FiftyMegabyteChunkedBody_Gets413()
    {
        // No Content-Length: the limit must hold while reading.
        var bytes = Encoding.UTF8.GetBytes("{\"batch\":[" + new string(' ', 50 * 1024 * 1024) + "]}");
        var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
