using System.Text;
using Zespan.Core.Ingestion;
using Zespan.Core.Spans;

namespace Zespan.Core.Tests.Ingestion;

public sealed class SpanParserTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly BatchParser Parser = new(new SpanParser(new FixedClock(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero))));

    private const string Valid = """
        {"id":"s1","traceId":"t1","parentId":null,"sessionId":"conv","userId":"u1","name":"chat.completions.create","kind":"llm",
         "model":"gpt-4o","provider":"openai","startTime":"2026-11-24T10:00:00.000Z","endTime":"2026-11-24T10:00:01.250Z",
         "usage":{"inputTokens":1200,"outputTokens":300,"cachedInputTokens":1000,"reasoningTokens":0},"costUsd":null,"status":"ok",
         "input":[{"role":"user","content":"hi"}],"output":{"role":"assistant","content":"hello"},"metadata":{"feature":"support-chat","n":2},"tags":["beta"]}
        """;

    /// <summary>The valid item with one field replaced (or removed when the value is null).</summary>
    private static string With(string field, string? json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Valid)!.AsObject();
        node.Remove(field);
        if (json is not null)
            node[field] = System.Text.Json.Nodes.JsonNode.Parse(json);
        return node.ToJsonString();
    }

    private static ParsedBatch Parse(params string[] items) => Parser.Parse(Encoding.UTF8.GetBytes("{\"batch\":[" + string.Join(",", items) + "]}"));

    private static string ErrorOf(string item)
    {
        var batch = Parse(Valid.Replace("\"s1\"", "\"before\""), item, Valid.Replace("\"s1\"", "\"after\""));
        Assert.Null(batch.BodyError);
        Assert.Equal(["before", "after"], batch.Spans.Select(s => s.Span.Id)); // neighbours survive
        var error = Assert.Single(batch.Errors);
        Assert.Equal(1, error.Index);
        return error.Message;
    }

    [Fact]
    public void Parse_ContractExample_ReadsEveryField()
    {
        var batch = Parse(Valid);
        var parsed = Assert.Single(batch.Spans);
        var span = parsed.Span;
        Assert.Empty(batch.Errors);
        Assert.Equal(("s1", "t1", (string?)null, "conv", "u1"), (span.Id, span.TraceId, span.ParentId, span.SessionId, span.UserId));
        Assert.Equal((SpanKind.Llm, "gpt-4o", "openai", SpanStatus.Ok), (span.Kind, span.Model, span.Provider, span.Status));
        Assert.Equal(1_250, span.LatencyMs);
        Assert.Equal(new TokenUsage(1200, 300, 1000, 0), span.Usage);
        Assert.Equal("[{\"role\":\"user\",\"content\":\"hi\"}]", span.InputJson);
        Assert.Equal("support-chat", span.MetadataValues["feature"]);
        Assert.Equal("2", span.MetadataValues["n"]);
        Assert.Equal(["beta"], span.Tags);
        Assert.Null(parsed.ClientCostUsd);
        Assert.Equal(0.0123, Parse(With("costUsd", "0.0123")).Spans.Single().ClientCostUsd);
    }

    [Fact]
    public void Parse_CacheCreationTokens_AreReadAsPartOfInput()
    {
        var usage = "{\"inputTokens\":3000,\"outputTokens\":20,\"cachedInputTokens\":1000,\"cacheCreationInputTokens\":2000}";
        Assert.Equal(new TokenUsage(3000, 20, 1000, 0, 2000), Assert.Single(Parse(With("usage", usage)).Spans).Span.Usage);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("traceId")]
    [InlineData("name")]
    [InlineData("kind")]
    [InlineData("startTime")]
    [InlineData("endTime")]
    public void Parse_MissingRequiredField_NamesIt(string field)
    {
        Assert.Equal($"\"{field}\" is required.", ErrorOf(With(field, null)));
    }

    [Theory]
    [InlineData("traceId", "42", "\"traceId\" must be a string, not the number 42.")]
    [InlineData("kind", "\"tool\"", "\"kind\" must be \"llm\" or \"span\", not \"tool\".")]
    [InlineData("status", "\"failed\"", "\"status\" must be \"ok\" or \"error\", not \"failed\".")]
    [InlineData("usage", "[1,2]", "\"usage\" must be an object like {\"inputTokens\": 1200, \"outputTokens\": 300}, not an array.")]
    [InlineData("usage", "{\"inputTokens\":\"12\"}", "\"usage.inputTokens\" must be a whole number, not the string \"12\".")]
    [InlineData("usage", "{\"inputTokens\":1.5}", "\"usage.inputTokens\" must be a whole number, not the number 1.5.")]
    [InlineData("usage", "{\"inputTokens\":-5}", "\"usage.inputTokens\" is negative (-5); token counts are zero or more.")]
    [InlineData("usage", "{\"outputTokens\":-1}", "\"usage.outputTokens\" is negative (-1); token counts are zero or more.")]
    [InlineData("usage", "{\"inputTokens\":10,\"cachedInputTokens\":11}", "\"usage.cachedInputTokens\" (11) exceeds \"usage.inputTokens\" (10); input tokens include cached tokens, as in OpenAI's usage.")]
    [InlineData("usage", "{\"inputTokens\":10,\"cachedInputTokens\":4,\"cacheCreationInputTokens\":7}", "\"usage.cacheCreationInputTokens\" (7) plus \"usage.cachedInputTokens\" (4) exceeds "
        + "\"usage.inputTokens\" (10); input tokens include the tokens read from and written to the cache: send Anthropic's input_tokens + cache_read_input_tokens + cache_creation_input_tokens.")]
    [InlineData("usage", "{\"inputTokens\":10,\"cacheCreationInputTokens\":-1}", "\"usage.cacheCreationInputTokens\" is negative (-1); token counts are zero or more.")]
    [InlineData("costUsd", "\"0.1\"", "\"costUsd\" must be a number of US dollars or null, not the string \"0.1\".")]
    [InlineData("costUsd", "-1", "\"costUsd\" (-1) must be between 0 and 1000000 dollars.")]
    [InlineData("tags", "\"beta\"", "\"tags\" must be an array of strings, not a string.")]
    [InlineData("tags", "[1]", "Every tag must be a string, not a number.")]
    [InlineData("metadata", "[]", "\"metadata\" must be an object of key/value pairs, not an array.")]
    [InlineData("startTime", "\"2026-11-24T10:00:00\"", "\"startTime\" must be an ISO 8601 timestamp with a zone, such as 2026-11-24T10:00:00.123Z; got \"2026-11-24T10:00:00\".")]
    [InlineData("startTime", "\"yesterday\"", "\"startTime\" must be an ISO 8601 timestamp with a zone, such as 2026-11-24T10:00:00.123Z; got \"yesterday\".")]
    [InlineData("startTime", "1764000000000", "\"startTime\" must be a string, not the number 1764000000000.")]
    [InlineData("startTime", "\"0001-01-01T00:00:00Z\"", "\"startTime\" (0001-01-01T00:00:00Z) is before the year 2000; check the client's clock and that it sends milliseconds, not seconds.")]
    [InlineData("endTime", "\"9999-12-31T23:59:59Z\"", "\"endTime\" (9999-12-31T23:59:59Z) is more than a day in the future; check the client's clock.")]
    [InlineData("endTime", "\"2026-11-24T09:59:59.000Z\"", "\"endTime\" (2026-11-24T09:59:59.000Z) is before \"startTime\" (2026-11-24T10:00:00.000Z).")]
    public void Parse_BadField_IsRefusedWithAClearMessage(string field, string json, string message)
    {
        Assert.Equal(message, ErrorOf(With(field, json)));
    }

    [Fact]
    public void Parse_DeeplyNestedInput_IsRefusedByName()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        Assert.Equal("\"input\" is nested 10,000 levels deep; the limit is 64.".Replace("10,000", "10000"), ErrorOf(With("input", "0").Replace("\"input\":0", "\"input\":" + deep)));
    }

    [Fact]
    public void Parse_ItemThatIsNotAnObject_IsNamed()
    {
        Assert.Equal("Each batch item must be a JSON object (a span), not a string.", ErrorOf("\"span\""));
    }

    [Fact]
    public void Parse_InvalidUtf8InOneItem_RejectsOnlyThatItem()
    {
        var before = Encoding.UTF8.GetBytes("{\"batch\":[" + Valid.Replace("\"s1\"", "\"before\"") + "," + Valid.Replace("\"s1\"", "\"bad\"").Replace("\"hi\"", "\"h\u0001\""));
        var after = Encoding.UTF8.GetBytes("," + Valid.Replace("\"s1\"", "\"after\"") + "]}");
        var body = before.ToArray();
        var marker = Array.IndexOf(body, (byte)1);
        body[marker] = 0xFF; // not valid UTF-8 anywhere
        var batch = Parser.Parse(body.Concat(after).ToArray());
        Assert.Null(batch.BodyError);
        Assert.Equal(["before", "after"], batch.Spans.Select(s => s.Span.Id));
        var error = Assert.Single(batch.Errors);
        Assert.Equal((1, "bad"), (error.Index, error.Id));
        Assert.Contains("not valid UTF-8", error.Message);
    }

    [Theory]
    [InlineData("not json", "The body is not valid JSON")]
    [InlineData("[]", "The body must be a JSON object with a \"batch\" array")]
    [InlineData("{\"spans\":[]}", "The body must be a JSON object with a \"batch\" array")]
    [InlineData("{\"batch\":{}}", "\"batch\" must be an array of spans.")]
    public void Parse_BodyThatIsNoBatch_IsRefusedAsAWhole(string body, string message)
    {
        var batch = Parser.Parse(Encoding.UTF8.GetBytes(body));
        Assert.StartsWith(message, batch.BodyError);
        Assert.Empty(batch.Spans);
    }

    [Fact]
    public void Parse_OversizedPayload_IsRefusedWithItsSize()
    {
        var huge = "\"" + new string('x', IngestLimits.MaxPayloadBytes) + "\"";
        Assert.StartsWith("\"output\" is 4,194,306 bytes; the limit is 4,194,304 bytes per span.", ErrorOf(With("output", huge)));
    }
}
