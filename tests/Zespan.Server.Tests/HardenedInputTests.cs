using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>
/// Input the audit of issue 12 found accepted and then breaking reads, or crashing ingestion: each is refused by field,
/// with its valid neighbours stored, or stored and read back whole.
/// </summary>
public sealed class HardenedInputTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private readonly HttpClient _client = app.ClientWithKey();

    /// <summary>Sends [good, bad, good] in one session and returns the bad item's error after checking both neighbours are readable.</summary>
    private async Task<string> RefusedBetweenNeighboursAsync(string name, string badItemJson)
    {
        var session = $"hard-{name}";
        var body = Api.Batch(
            Api.Span($"{name}-before", sessionId: session, traceId: session),
            badItemJson,
            Api.Span($"{name}-after", sessionId: session, traceId: session, start: "2026-11-20T10:00:05.000Z", end: "2026-11-20T10:00:06.000Z"));
        return await RefusedAsync(session, name, Encoding.UTF8.GetBytes(body));
    }

    private async Task<string> RefusedAsync(string session, string name, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        var response = await _client.PostAsync("/api/v1/ingest", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == (HttpStatusCode)207, $"{name}: {(int)response.StatusCode} {text}");
        var error = Assert.Single(JsonNode.Parse(text)!["errors"]!.AsArray())!;
        Assert.Equal(1, (int)error["index"]!);
        var timeline = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["timeline"]!.AsArray();
        Assert.Equal([$"{name}-before", $"{name}-after"], timeline.Select(t => (string)t!["spanId"]!));
        var trace = await _client.GetAsync($"/api/v1/traces/{session}");
        Assert.True(trace.StatusCode == HttpStatusCode.OK, $"{name}: trace answered {(int)trace.StatusCode}");
        return (string)error["message"]!;
    }

    [Theory]
    [InlineData("input", "\"input\":[{\"role\":\"user\",\"content\":\"x\\udc00y\"}]")]
    [InlineData("output", "\"output\":\"\\ud800\"")]
    [InlineData("metadata", "\"metadata\":{\"feature\":\"\\udfff\"}")]
    [InlineData("metadata", "\"metadata\":{\"\\udc00\":\"key is the bad part\"}")]
    [InlineData("name", "\"name\":\"call \\ud83d\"")]
    [InlineData("sessionId", "\"sessionId\":\"\\udc00\"")]
    [InlineData("tags", "\"tags\":[\"ok\",\"\\ude00\"]")]
    public async Task LoneSurrogateEscape_IsRefusedNamingTheField(string field, string extra)
    {
        var name = $"surrogate-{field}-{Math.Abs(extra.GetHashCode())}";
        var item = Api.Span(name, sessionId: $"hard-{name}", traceId: $"hard-{name}");
        item = item.TrimEnd('}') + "," + extra + "}"; // appended last, so a repeated key (sessionId) is the one read
        var message = await RefusedBetweenNeighboursAsync(name, item);
        Assert.StartsWith($"\"{field}\" contains a lone UTF-16 surrogate escape", message);
    }

    [Fact]
    public async Task SurrogatePairEscape_IsStoredAndReadBack()
    {
        var item = Api.Span("pair", sessionId: "pair-conv", traceId: "pair-trace", extra: "\"input\":\"smile \\ud83d\\ude00\"");
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(Api.Batch(item))).StatusCode);
        var span = (await _client.GetJsonAsync("/api/v1/traces/pair-trace"))["spans"]![0]!;
        Assert.Equal("smile \U0001F600", (string)span["input"]!);
    }

    [Theory]
    [InlineData("input", "\"input\":\"cafMARK\"")]
    [InlineData("userId", "\"userId\":\"uMARK\"")]
    [InlineData("metadata", "\"metadata\":{\"MARK\":\"v\"}")]
    public async Task InvalidUtf8_IsRefusedNamingTheField(string field, string extra)
    {
        var name = $"utf8-{field}";
        var session = $"hard-{name}";
        var body = Encoding.UTF8.GetBytes(Api.Batch(
            Api.Span($"{name}-before", sessionId: session, traceId: session),
            Api.Span(name, sessionId: session, traceId: session, extra: extra),
            Api.Span($"{name}-after", sessionId: session, traceId: session, start: "2026-11-20T10:00:05.000Z", end: "2026-11-20T10:00:06.000Z")));
        var at = body.AsSpan().IndexOf("MARK"u8);
        body[at] = 0xC3; body[at + 1] = 0x28; body[at + 2] = 0xFF; body[at + 3] = (byte)'x';
        var message = await RefusedAsync(session, name, body);
        Assert.StartsWith($"\"{field}\" is not valid UTF-8 (byte ", message);
    }

    [Fact]
    public async Task InvalidUtf8InAPropertyName_IsRefusedWithItsByteOffset()
    {
        var name = "utf8-key";
        var session = $"hard-{name}";
        var body = Encoding.UTF8.GetBytes(Api.Batch(
            Api.Span($"{name}-before", sessionId: session, traceId: session),
            Api.Span(name, sessionId: session, traceId: session, extra: "\"MARK\":1"),
            Api.Span($"{name}-after", sessionId: session, traceId: session, start: "2026-11-20T10:00:05.000Z", end: "2026-11-20T10:00:06.000Z")));
        var at = body.AsSpan().IndexOf("MARK"u8);
        body[at] = 0xFF;
        var message = await RefusedAsync(session, name, body);
        Assert.Matches(@"^A property name of this item is not valid UTF-8 \(byte \d+ of the item\)", message);
    }

    [Fact]
    public async Task TrillionOutputTokensOnGpt4o_IsRefusedByName_AndTheNeighboursAreStored()
    {
        var item = Api.Span("trillion", sessionId: "hard-trillion", traceId: "hard-trillion").Replace("\"outputTokens\":10", "\"outputTokens\":1000000000000");
        Assert.Contains("1000000000000", item);
        var message = await RefusedBetweenNeighboursAsync("trillion", item);
        Assert.Equal("\"usage\" (100 input, 1000000000000 output tokens) at the price of \"gpt-4o\" costs $10000000, more than the per-span limit of $1000000; check the token counts, or send \"costUsd\".", message);
    }

    [Fact]
    public async Task TrillionTokensOnAnUnpricedModel_IsStoredUnpriced()
    {
        var item = Api.Span("trillion-unpriced", sessionId: "trillion-unpriced", traceId: "trillion-unpriced", model: "in-house-model")
            .Replace("\"outputTokens\":10", "\"outputTokens\":1000000000000");
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(Api.Batch(item))).StatusCode);
        var session = (await _client.GetJsonAsync("/api/v1/sessions/trillion-unpriced"))["session"]!;
        Assert.Equal(1_000_000_000_100L, (long)session["totalTokens"]!);
        Assert.Null(session["costUsd"]);
    }

    [Theory]
    [InlineData("sessionId", ".", "\"sessionId\" cannot be \".\"")]
    [InlineData("userId", "..", "\"userId\" cannot be \"..\"")]
    [InlineData("traceId", "a\\u0000b", "\"traceId\" contains the control character U+0000 at position 1")]
    [InlineData("id", "tab\\there", "\"id\" contains the control character U+0009 at position 3")]
    [InlineData("sessionId", "line\\nbreak", "\"sessionId\" contains the control character U+000A at position 4")]
    [InlineData("parentId", "del\\u007f", "\"parentId\" contains the control character U+007F at position 3")]
    [InlineData("userId", "c1\\u0085", "\"userId\" contains the control character U+0085 at position 2")]
    public async Task UnaddressableIds_AreRefusedNamingTheField(string field, string id, string start)
    {
        var name = $"id-{field}-{Math.Abs(id.GetHashCode())}";
        var item = Api.Span(name, sessionId: $"hard-{name}", traceId: $"hard-{name}");
        var node = JsonNode.Parse(item)!.AsObject();
        node.Remove(field);
        item = node.ToJsonString().TrimEnd('}') + $",\"{field}\":\"{id}\"}}";
        var message = await RefusedBetweenNeighboursAsync(name, item);
        Assert.StartsWith(start, message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e400")]
    public async Task Outliers_NonFiniteMinRatio_Is400(string value)
    {
        var response = await _client.GetAsync($"/api/v1/sessions/outliers?minRatio={value}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("\"minRatio\" must be a number above 1", (string)(await response.ReadJsonAsync())["detail"]!);
    }
}
