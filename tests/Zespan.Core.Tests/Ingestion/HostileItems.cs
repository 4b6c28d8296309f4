using System.Text;

namespace Zespan.Core.Tests.Ingestion;

/// <summary>
/// Random ingest batches whose items are valid or hostile in every way the validator distinguishes. Bodies are bytes, not
/// strings, so an item can carry bytes that are not UTF-8; every body is well-formed JSON (a malformed body is refused
/// whole before any item is read, by code these items do not exercise).
/// </summary>
internal static class HostileItems
{
    private static string Quote(string text) => "\"" + text + "\"";

    private static readonly string[] Ids =
    [
        "\"s1\"", "\"conv-7\"", "\"org/7/conv 1%\"", "\"\"", "\".\"", "\"..\"", "\"a\\u0000b\"", "\"a\\tb\"", "\"\\u00e9t\\u00e9\"",
        "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"x\\udc00\"", "\"\\\"quoted\\\\\"", Quote(new string('i', 256)), Quote(new string('i', 257)),
        "null", "1", "true", "{}", "[]", "\"étoile\"", "\"\u007f\"", "\"\\u0085\"",
    ];

    private static readonly string[] Names = [.. Ids, "\"chat.completions.create\"", Quote(new string('n', 512)), Quote(new string('n', 513))];

    private static readonly string[] Kinds = ["\"llm\"", "\"llm\"", "\"span\"", "\"LLM\"", "\"\"", "null", "1", Quote(new string('k', 40)), "\"ll\\u006d\""];

    private static readonly string[] Times =
    [
        "\"2026-11-24T10:00:00.000Z\"", "\"2026-11-24T10:00:01.250Z\"", "\"2026-11-24T11:00:00+01:00\"", "\"2026-11-24T10:00:00.123456Z\"",
        "\"1999-12-31T23:59:59Z\"", "\"2000-01-01T00:00:00Z\"", "\"2026-11-25T12:00:00Z\"", "\"2026-11-25T12:00:00.001Z\"", "\"2030-01-01T00:00:00Z\"",
        "\"2026-11-24T10:00:00\"", "\"yesterday\"", "\"\"", "1764000000000", "null", Quote(new string('2', 65)),
    ];

    private static readonly string[] Counts =
    [
        "0", "1", "1200", "300", "1e3", "1.5", "-1", "-0", "1000000000000", "1000000000001", "9223372036854775807",
        "9223372036854775808", "\"12\"", "null", "true", "{}",
    ];

    private static readonly string[] Costs =
    [
        "null", "0", "0.0012", "-0.0", "-0.5", "1000000", "1000000.0001", "1e309", "1e-320", "\"1\"", "[]", "123456.789012345678",
    ];

    private static readonly string[] Statuses = ["\"ok\"", "\"error\"", "\"OK\"", "null", "0", "\"\""];

    private static readonly string[] Errors = ["\"boom\"", "null", "3", Quote(new string('e', 65_536)), Quote(new string('e', 65_537)), "\"\\ud800\""];

    private static readonly string[] Payloads =
    [
        "[{\"role\":\"user\",\"content\":\"hi\"}]", "{\"role\":\"assistant\",\"content\":\"hello \\\"you\\\" \\u00e9 \\ud83d\\ude00\"}",
        "\"plain text\"", "123", "-1.5e300", "true", "null", "{}", "[]", Nested(64), Nested(65), "{\"a\":\"\\udc00\"}", "{\"\\ud800\":1}",
        "{\"k\":1,\"k\":2}", "[\"\\u0000\\u001f\"]",
    ];

    private static readonly string[] Metadata =
    [
        "{\"feature\":\"support\",\"n\":2,\"b\":true,\"f\":1.50,\"o\":{\"a\":1},\"z\":null}", "{\"session.name\":\"Refund for order 7\"}",
        "{\"session.name\":3}", "{\"k\":\"a\",\"k\":\"b\"}", "{\"k\\u0065y\":\"v\"}", "{" + Quote(new string('m', 128)) + ":1}",
        "{" + Quote(new string('m', 129)) + ":1}", "{\"long\":" + Quote(new string('v', 257)) + "}", "{}", "[]", "\"x\"", "null", Nested(65),
    ];

    private static readonly string[] Tags =
    [
        "[\"beta\"]", "[\"a\",\"b\",\"a\"]", "[]", "[\"\"]", "[1]", "null", "\"beta\"", "[" + Quote(new string('t', 128)) + "]",
        "[" + Quote(new string('t', 129)) + "]", "[" + string.Join(",", Enumerable.Range(0, 50).Select(i => Quote("t" + i))) + "]",
        "[" + string.Join(",", Enumerable.Range(0, 51).Select(i => Quote("t" + i))) + "]", "[\"\\u00e9\",\"é\"]",
    ];

    private static readonly string[] SessionNamesSent = ["\"My chat\"", "null", "1", Quote(new string('s', 300)), "\"  spaced  \"", "\"\""];

    private static readonly string[] Models = ["\"gpt-4o\"", "\"gpt-4o-mini\"", "\"my-own-model\"", "null", "5", Quote(new string('m', 257))];

    /// <summary>Each field with the values it is drawn from; the first value of each is valid.</summary>
    private static readonly (string Name, string[] Values, bool Required)[] Fields =
    [
        ("id", Ids, true), ("traceId", Ids, true), ("parentId", ["null", .. Ids], false), ("sessionId", Ids, false), ("userId", Ids, false),
        ("sessionName", SessionNamesSent, false), ("name", Names, true), ("kind", Kinds, true), ("model", Models, false),
        ("provider", Models, false), ("startTime", Times, true), ("endTime", Times, true), ("usage", [], false), ("costUsd", Costs, false),
        ("status", Statuses, false), ("error", Errors, false), ("input", Payloads, false), ("output", Payloads, false),
        ("metadata", Metadata, false), ("tags", Tags, false),
    ];

    /// <summary>A valid LLM span with the given id (the contract's example).</summary>
    public static string ValidItem(string id) =>
        "{\"id\":" + Quote(id) + ",\"traceId\":\"t1\",\"name\":\"chat\",\"kind\":\"llm\",\"model\":\"gpt-4o\",\"startTime\":\"2026-11-24T10:00:00.000Z\"," +
        "\"endTime\":\"2026-11-24T10:00:01.250Z\",\"usage\":{\"inputTokens\":1200,\"outputTokens\":300}}";

    public static byte[] Batch(Random random, int items)
    {
        var body = new List<byte>(Encoding.UTF8.GetBytes("{\"batch\":["));
        for (var i = 0; i < items; i++)
        {
            if (i > 0)
                body.Add((byte)',');
            body.AddRange(Item(random));
        }
        body.AddRange("]}"u8.ToArray());
        return body.ToArray();
    }

    private static byte[] Item(Random random)
    {
        if (random.Next(20) == 0)
            return Encoding.UTF8.GetBytes(new[] { "1", "\"span\"", "[]", "null", "true" }[random.Next(5)]);
        var hostile = random.Next(3) == 0; // a third of the items draw any value; the rest mostly valid ones
        var properties = new List<byte[]>();
        foreach (var (name, values, required) in Fields)
        {
            if (!required && random.Next(3) == 0 || required && random.Next(40) == 0)
                continue;
            var value = name == "usage" ? Usage(random, hostile) : Pick(random, values, hostile);
            properties.Add(Property(random, name, value));
            if (random.Next(25) == 0) // the same name again: the last occurrence wins
                properties.Add(Property(random, name, name == "usage" ? Usage(random, true) : Pick(random, values, true)));
        }
        if (random.Next(6) == 0)
            properties.Add(Property(random, "unknownField", Pick(random, Payloads, true)));
        if (random.Next(30) == 0)
            properties.Add(Encoding.UTF8.GetBytes("\"bad\\udfff\":1"));
        Shuffle(random, properties);
        var item = new List<byte> { (byte)'{' };
        for (var i = 0; i < properties.Count; i++)
        {
            if (i > 0)
                item.Add((byte)',');
            item.AddRange(properties[i]);
        }
        item.Add((byte)'}');
        if (random.Next(30) == 0)
            Corrupt(random, item);
        return item.ToArray();
    }

    private static string Pick(Random random, string[] values, bool hostile) =>
        hostile || random.Next(40) == 0 ? values[random.Next(values.Length)] : values[0];

    private static string Usage(Random random, bool hostile)
    {
        if (hostile && random.Next(4) == 0)
            return new[] { "null", "[]", "\"x\"", "3", "{}" }[random.Next(5)];
        var fields = new List<string>();
        foreach (var name in new[] { "inputTokens", "outputTokens", "cachedInputTokens", "reasoningTokens", "cacheCreationInputTokens" })
        {
            // Cache writes (Anthropic only) in a quarter of the items: with every count at random, most would break a rule.
            if (name == "cacheCreationInputTokens" ? random.Next(4) != 0 : random.Next(4) == 0)
                continue;
            var value = hostile ? Counts[random.Next(Counts.Length)] : new[] { "0", "1200", "300", "1000000000000" }[random.Next(4)];
            fields.Add(Quote(name) + ":" + value);
        }
        return "{" + string.Join(",", fields) + "}";
    }

    /// <summary>"name":value, the name sometimes escaped (\u0069d is id) so names are compared unescaped.</summary>
    private static byte[] Property(Random random, string name, string value)
    {
        var written = random.Next(12) == 0 ? "\\u" + ((int)name[0]).ToString("x4") + name[1..] : name;
        return Encoding.UTF8.GetBytes(Quote(written) + ":" + value);
    }

    /// <summary>Replaces one byte inside a string value with one that is not UTF-8 (0xFF), or cuts a two-byte character.</summary>
    private static void Corrupt(Random random, List<byte> item)
    {
        var quotes = Enumerable.Range(0, item.Count).Where(i => item[i] == (byte)'"').ToList();
        if (quotes.Count < 4)
            return;
        var at = quotes[random.Next(quotes.Count - 1)] + 1;
        if (item[at] is (byte)'"' or (byte)'\\')
            return;
        if (random.Next(2) == 0)
            item[at] = 0xFF;
        else
            item.Insert(at, 0xC3);
    }

    private static string Nested(int depth) => new string('[', depth) + "1" + new string(']', depth);

    private static void Shuffle<T>(Random random, List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
