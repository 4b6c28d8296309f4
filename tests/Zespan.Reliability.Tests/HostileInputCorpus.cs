using System.IO.Compression;
using System.Text;

namespace Zespan.Reliability.Tests;

/// <summary>One hostile value put in one field of a span sent between two valid neighbours.</summary>
/// <param name="Field">Dotted path of the field (usage.outputTokens, metadata.plan) whose value is replaced.</param>
/// <param name="Value">The raw JSON value, as bytes, so that invalid UTF-8, lone surrogate escapes and 1e400 can be sent.</param>
public sealed record HostileItem(string Name, string Field, byte[] Value)
{
    /// <summary>The word a refusal must contain: the field's name (singular accepted, "tag" for tags).</summary>
    public string FieldWord => Field.Split('.')[Field.StartsWith("metadata.", StringComparison.Ordinal) ? 0 : ^1];
}

/// <summary>A whole request body that is not a batch; the refusal must name what is wrong (the body, the batch, the encoding).</summary>
public sealed record HostileBody(string Name, byte[] Body, string ContentType, string? ContentEncoding, string[] DetailWords);

/// <summary>
/// The hostile-input corpus: every field of a span against the classes of issue 12 (lone surrogates, invalid UTF-8, huge
/// numbers, NaN-ish strings, ids with / . .. NUL and control characters, deep nesting, wrong types, oversize), plus bodies
/// that are not batches (gzip, not JSON, wrong shapes, too many items, too deep, too large).
/// </summary>
public static class HostileInputCorpus
{
    private static byte[] Raw(string json) => Encoding.UTF8.GetBytes(json);
    private static byte[] Bytes(params byte[] bytes) => bytes;
    private static byte[] Quoted(byte[] inner) => [(byte)'"', .. inner, (byte)'"'];
    private static string Nested(int depth, string leaf = "1") => new string('[', depth) + leaf + new string(']', depth);

    public static readonly string[] IdFields = ["id", "traceId", "parentId", "sessionId", "userId"];
    public static readonly string[] TextFields = ["name", "model", "provider", "error"];

    /// <summary>String values every text field gets: each is either stored and readable everywhere, or refused by name.</summary>
    private static IEnumerable<(string Name, byte[] Value)> StringValues(int maxLength) =>
    [
        ("lone-high-surrogate", Raw("\"\\ud800\"")),
        ("lone-low-surrogate", Raw("\"a\\udc00b\"")),
        ("invalid-utf8-ff", Quoted(Bytes(0x61, 0xff, 0xfe))),
        ("invalid-utf8-overlong-slash", Quoted(Bytes(0xc0, 0xaf))),
        ("nul", Raw("\"a\\u0000b\"")),
        ("control-chars", Raw("\"a\\u0001\\u001f\\u007f\\r\\n\\tb\"")),
        ("slashes", Raw("\"org/7/conv-1\"")),
        ("dot", Raw("\".\"")),
        ("dot-dot", Raw("\"..\"")),
        ("path-traversal", Raw("\"../../etc/passwd\"")),
        ("percent-encoded", Raw("\"a%2Fb%00c\"")),
        ("query-and-fragment", Raw("\"a?b=1#c\"")),
        ("whitespace-only", Raw("\"   \"")),
        ("empty", Raw("\"\"")),
        ("html", Raw("\"<script>alert(1)</script>\"")),
        ("sql", Raw("\"' OR '1'='1\"")),
        ("astral-and-private-use", Raw("\"a\\uE000\\ud83d\\ude00\"")),
        ("rtl-override", Raw("\"\\u202egnp.exe\"")),
        ("oversize", Raw("\"" + new string('x', maxLength + 1) + "\"")),
        ("number", Raw("5")),
        ("huge-number", Raw("1e400")),
        ("boolean", Raw("true")),
        ("object", Raw("{\"a\":1}")),
        ("array", Raw("[\"a\"]")),
    ];

    private static IEnumerable<HostileItem> Items()
    {
        foreach (var field in IdFields.Concat(TextFields))
        {
            var max = field == "name" ? 512 : field == "error" ? 65_536 : 256;
            foreach (var (name, value) in StringValues(max))
                yield return new HostileItem($"{field}:{name}", field, value);
            if (field is "id" or "traceId" or "name")
                yield return new HostileItem($"{field}:null", field, Raw("null"));
        }

        foreach (var field in new[] { "kind", "status" })
            foreach (var (name, value) in new[]
            {
                ("uppercase", Raw(field == "kind" ? "\"LLM\"" : "\"ERROR\"")), ("unknown", Raw("\"tool\"")), ("empty", Raw("\"\"")),
                ("number", Raw("1")), ("lone-surrogate", Raw("\"\\udc00\"")), ("nul", Raw("\"ok\\u0000\"")),
            })
                yield return new HostileItem($"{field}:{name}", field, value);

        foreach (var field in new[] { "startTime", "endTime" })
            foreach (var (name, value) in new[]
            {
                ("month-13", Raw("\"2026-13-01T00:00:00Z\"")), ("no-zone", Raw("\"2026-11-24T10:00:00\"")),
                ("year-1", Raw("\"0001-01-01T00:00:00Z\"")), ("year-9999", Raw("\"9999-12-31T23:59:59Z\"")),
                ("leap-second", Raw("\"2026-11-24T10:00:60Z\"")), ("epoch-millis-number", Raw("1732442400000")),
                ("not-a-date", Raw("\"yesterday\"")), ("lone-surrogate", Raw("\"\\ud800\"")),
                ("long-fraction", Raw("\"2026-11-24T10:00:00.1234567891234567Z\"")), ("empty", Raw("\"\"")), ("null", Raw("null")),
                ("expanded-year", Raw("\"+275760-09-13T00:00:00Z\"")), ("invalid-utf8", Quoted(Bytes(0x32, 0xff))),
            })
                yield return new HostileItem($"{field}:{name}", field, value);

        foreach (var field in new[] { "usage.inputTokens", "usage.outputTokens", "usage.cachedInputTokens", "usage.reasoningTokens" })
            foreach (var (name, value) in new[]
            {
                ("negative", Raw("-1")), ("fraction", Raw("1.5")), ("1e12", Raw("1e12")), ("1e300", Raw("1e300")), ("1e400", Raw("1e400")),
                ("int64-max", Raw("9223372036854775807")), ("beyond-int64", Raw("9223372036854775808")), ("minus-zero", Raw("-0")),
                ("nan-string", Raw("\"NaN\"")), ("infinity-string", Raw("\"Infinity\"")), ("numeric-string", Raw("\"12\"")), ("boolean", Raw("true")),
            })
                yield return new HostileItem($"{field}:{name}", field, value);
        foreach (var (name, value) in new[] { ("string", Raw("\"lots\"")), ("array", Raw("[1,2]")), ("number", Raw("5")) })
            yield return new HostileItem($"usage:{name}", "usage", value);

        foreach (var (name, value) in new[]
        {
            ("negative", Raw("-1")), ("above-limit", Raw("1000001")), ("1e308", Raw("1e308")), ("1e400", Raw("1e400")), ("tiny", Raw("1e-20")),
            ("underflow", Raw("1e-400")), ("at-limit", Raw("1000000")), ("nan-string", Raw("\"NaN\"")), ("numeric-string", Raw("\"1.5\"")),
            ("boolean", Raw("true")), ("object", Raw("{}")), ("many-digits", Raw("0.1234567890123456789012345678901234567890")),
        })
            yield return new HostileItem($"costUsd:{name}", "costUsd", value);

        foreach (var field in new[] { "input", "output" })
            foreach (var (name, value) in new[]
            {
                ("lone-surrogate", Raw("{\"role\":\"user\",\"content\":\"\\udc00\"}")),
                ("invalid-utf8", [.. Raw("{\"content\":\""), 0xff, 0xfe, .. Raw("\"}")]),
                ("nul", Raw("{\"content\":\"a\\u0000b\"}")),
                ("depth-64", Raw(Nested(63))), ("depth-65", Raw(Nested(65))), ("depth-5000", Raw(Nested(5_000))),
                ("huge-numbers", Raw("[1e400, -1e400, 123456789012345678901234567890]")),
                ("oversize", Raw("\"" + new string('x', 4 * 1024 * 1024 + 1) + "\"")),
                ("html", Raw("{\"content\":\"<img src=x onerror=alert(1)>\"}")),
                ("plain-string", Raw("\"just text\"")), ("number", Raw("42")),
                ("duplicate-keys", Raw("{\"content\":\"a\",\"content\":\"b\"}")),
            })
                yield return new HostileItem($"{field}:{name}", field, value);

        foreach (var (name, value) in new[]
        {
            ("array", Raw("[1]")), ("string", Raw("\"plan=pro\"")), ("number", Raw("1")),
            ("long-key", Raw("{\"" + new string('k', 129) + "\":\"v\"}")),
            ("lone-surrogate-key", Raw("{\"\\ud800\":\"v\"}")), ("lone-surrogate-value", Raw("{\"plan\":\"\\udc00\"}")),
            ("nul-key", Raw("{\"a\\u0000\":\"v\"}")), ("proto-key", Raw("{\"__proto__\":\"v\",\"constructor\":1}")),
            ("huge-number-value", Raw("{\"n\":1e400}")), ("deep", Raw("{\"a\":" + Nested(70) + "}")),
            ("oversize", Raw("{\"a\":\"" + new string('x', 65_537) + "\"}")), ("slash-value", Raw("{\"team\":\"org/7\"}")),
            ("invalid-utf8-value", [.. Raw("{\"plan\":\""), 0xff, .. Raw("\"}")]),
        })
            yield return new HostileItem($"metadata:{name}", "metadata", value);

        foreach (var (name, value) in new[]
        {
            ("string", Raw("\"beta\"")), ("numbers", Raw("[1,2]")), ("empty-tag", Raw("[\"\"]")), ("long-tag", Raw("[\"" + new string('t', 129) + "\"]")),
            ("51-tags", Raw("[" + string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"t{i}\"")) + "]")),
            ("lone-surrogate", Raw("[\"\\udc00\"]")), ("nul", Raw("[\"a\\u0000\"]")), ("nested", Raw("[[\"a\"]]")), ("slash", Raw("[\"a/b\"]")),
        })
            yield return new HostileItem($"tags:{name}", "tags", value);
    }

    private static IEnumerable<HostileBody> Bodies()
    {
        var valid = Raw("{\"batch\":[]}");
        string[] json = ["JSON"], batch = ["batch"];
        yield return new("body:not-json", Raw("hello"), "application/json", null, json);
        yield return new("body:empty", [], "application/json", null, json);
        yield return new("body:truncated", Raw("{\"batch\":[{\"id\":"), "application/json", null, json);
        yield return new("body:top-level-array", Raw("[]"), "application/json", null, batch);
        yield return new("body:batch-object", Raw("{\"batch\":{}}"), "application/json", null, batch);
        yield return new("body:batch-null", Raw("{\"batch\":null}"), "application/json", null, batch);
        yield return new("body:no-batch", Raw("{\"spans\":[]}"), "application/json", null, batch);
        yield return new("body:too-many-items", Raw("{\"batch\":[" + string.Join(",", Enumerable.Repeat("{}", 10_001)) + "]}"), "application/json", null, ["10,000", "batch"]);
        yield return new("body:deeper-than-100000", Raw("{\"batch\":" + Nested(100_001, "") + "}"), "application/json", null, ["JSON", "deep", "depth"]);
        yield return new("body:invalid-utf8-outside-strings", [.. Raw("{\"batch\":[]"), 0xff, .. Raw("}")], "application/json", null, json);
        yield return new("body:gzip", Gzip(valid), "application/json", "gzip", ["gzip", "Content-Encoding"]);
        yield return new("body:utf16", Encoding.Unicode.GetBytes("{\"batch\":[]}"), "application/json", null, json);
        yield return new("body:oversize", Raw("{\"batch\":[],\"pad\":\"" + new string(' ', 10 * 1024 * 1024) + "\"}"), "application/json", null, ["bytes", "Split"]);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            gzip.Write(data);
        return output.ToArray();
    }

    public static readonly IReadOnlyDictionary<string, HostileItem> ItemCases = Items().ToDictionary(c => c.Name);
    public static readonly IReadOnlyDictionary<string, HostileBody> BodyCases = Bodies().ToDictionary(c => c.Name);

    public static IEnumerable<object[]> ItemNames => ItemCases.Keys.Select(k => new object[] { k });
    public static IEnumerable<object[]> BodyNames => BodyCases.Keys.Select(k => new object[] { k });
}
