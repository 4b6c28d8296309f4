using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Zespan.Core.Ingestion;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Core.Tests.Ingestion.Reference;

/// <summary>
/// REFERENCE: SpanParser as it was before ItemFields (main 89b803a), kept unchanged but for its name and for the rules
/// added since (usage.cacheCreationInputTokens), so the equivalence tests can compare the rewritten validator with it
/// item by item. Validates one item of an ingest batch and turns it
/// into a span. Every refusal names the field and what to send instead, so one bad item can be reported while its
/// neighbours are stored.
/// </summary>
public sealed class ReferenceSpanParser(TimeProvider clock)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public bool TryParse(JsonElement item, int index, out ParsedSpan? parsed, out ItemError? error)
    {
        parsed = null;
        string? id = null;
        try
        {
            if (item.ValueKind != JsonValueKind.Object)
                throw new SpanInvalid($"Each batch item must be a JSON object (a span), not {Describe(item.ValueKind)}.");
            if (ReferenceJsonTextCheck.Problem(item) is { } textProblem)
            {
                id = SoundId(item);
                throw new SpanInvalid(textProblem);
            }
            id = RequiredString(item, "id", IngestLimits.MaxIdLength);
            CheckId("id", id);
            parsed = Parse(item, id) with { Index = index };
            error = null;
            return true;
        }
        catch (SpanInvalid invalid)
        {
            error = new ItemError(index, id, invalid.Message);
            return false;
        }
        catch (Exception ex) when (ex is InvalidOperationException or DecoderFallbackException) // invalid UTF-8 met when a string or payload is read
        {
            error = new ItemError(index, id, "The span contains text that is not valid UTF-8. Send all strings UTF-8 encoded.");
            return false;
        }
    }

    private ParsedSpan Parse(JsonElement item, string id)
    {
        var kind = RequiredString(item, "kind", 16) switch
        {
            "llm" => SpanKind.Llm,
            "span" => SpanKind.Span,
            var other => throw new SpanInvalid($"\"kind\" must be \"llm\" or \"span\", not \"{Clip(other)}\"."),
        };
        var start = RequiredTime(item, "startTime");
        var end = RequiredTime(item, "endTime");
        if (end < start)
            throw new SpanInvalid($"\"endTime\" ({Timestamps.Format(end)}) is before \"startTime\" ({Timestamps.Format(start)}).");
        var status = OptionalString(item, "status", 16) switch
        {
            null or "ok" => SpanStatus.Ok,
            "error" => SpanStatus.Error,
            var other => throw new SpanInvalid($"\"status\" must be \"ok\" or \"error\", not \"{Clip(other)}\"."),
        };
        var metadata = OptionalObject(item, "metadata");
        var span = new SpanRecord
        {
            Id = id,
            TraceId = RequiredId(item, "traceId"),
            ParentId = OptionalId(item, "parentId"),
            SessionId = OptionalId(item, "sessionId"),
            UserId = OptionalId(item, "userId"),
            SessionName = SessionNames.Shorten(OptionalString(item, "sessionName", IngestLimits.MaxIdLength)
                ?? (metadata is { } named && named.TryGetProperty(SessionNames.MetadataKey, out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null)),
            Name = RequiredString(item, "name", IngestLimits.MaxNameLength),
            Kind = kind,
            Model = OptionalString(item, "model", IngestLimits.MaxIdLength),
            Provider = OptionalString(item, "provider", IngestLimits.MaxIdLength),
            StartMs = start,
            EndMs = end,
            Usage = ParseUsage(item),
            UsageReported = UsageReported(item),
            Status = status,
            Error = OptionalString(item, "error", IngestLimits.MaxErrorLength),
            InputJson = OptionalPayload(item, "input", IngestLimits.MaxPayloadBytes),
            OutputJson = OptionalPayload(item, "output", IngestLimits.MaxPayloadBytes),
            MetadataJson = metadata is { } m ? Payload(m, "metadata", IngestLimits.MaxMetadataBytes) : null,
            MetadataValues = metadata is { } md ? FlattenMetadata(md) : new Dictionary<string, string>(),
            Tags = ParseTags(item),
        };
        return new ParsedSpan(span, ParseCost(item), UsageReported(item));
    }

    private long RequiredTime(JsonElement item, string name)
    {
        var text = RequiredString(item, name, 64);
        if (!Timestamps.TryParse(text, out var ms))
            throw new SpanInvalid($"\"{name}\" must be an ISO 8601 timestamp with a zone, such as 2026-11-24T10:00:00.123Z; got \"{Clip(text)}\".");
        if (ms < IngestLimits.EarliestTime.ToUnixTimeMilliseconds())
            throw new SpanInvalid($"\"{name}\" ({text}) is before the year 2000; check the client's clock and that it sends milliseconds, not seconds.");
        var latest = clock.GetUtcNow().Add(IngestLimits.MaxClockSkew).ToUnixTimeMilliseconds();
        if (ms > latest)
            throw new SpanInvalid($"\"{name}\" ({text}) is more than a day in the future; check the client's clock.");
        return ms;
    }

    private static bool UsageReported(JsonElement item) =>
        item.TryGetProperty("usage", out var usage) && usage.ValueKind != JsonValueKind.Null;

    private static TokenUsage ParseUsage(JsonElement item)
    {
        if (!item.TryGetProperty("usage", out var usage) || usage.ValueKind == JsonValueKind.Null)
            return default;
        if (usage.ValueKind != JsonValueKind.Object)
            throw new SpanInvalid($"\"usage\" must be an object like {{\"inputTokens\": 1200, \"outputTokens\": 300}}, not {Describe(usage.ValueKind)}.");
        var input = Tokens(usage, "inputTokens");
        var output = Tokens(usage, "outputTokens");
        var cached = Tokens(usage, "cachedInputTokens");
        var reasoning = Tokens(usage, "reasoningTokens");
        var written = Tokens(usage, "cacheCreationInputTokens");
        if (cached > input)
            throw new SpanInvalid($"\"usage.cachedInputTokens\" ({cached}) exceeds \"usage.inputTokens\" ({input}); input tokens include cached tokens, as in OpenAI's usage.");
        if (cached + written > input)
            throw new SpanInvalid($"\"usage.cacheCreationInputTokens\" ({written}) plus \"usage.cachedInputTokens\" ({cached}) exceeds \"usage.inputTokens\" ({input}); "
                + "input tokens include the tokens read from and written to the cache: send Anthropic's input_tokens + cache_read_input_tokens + cache_creation_input_tokens.");
        if (reasoning > output)
            throw new SpanInvalid($"\"usage.reasoningTokens\" ({reasoning}) exceeds \"usage.outputTokens\" ({output}); output tokens include reasoning tokens, as in OpenAI's usage.");
        return new TokenUsage(input, output, cached, reasoning, written);
    }

    private static long Tokens(JsonElement usage, string name)
    {
        if (!usage.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return 0;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var count))
            throw new SpanInvalid($"\"usage.{name}\" must be a whole number, not {Describe(value)}.");
        if (count < 0)
            throw new SpanInvalid($"\"usage.{name}\" is negative ({count}); token counts are zero or more.");
        if (count > IngestLimits.MaxTokens)
            throw new SpanInvalid($"\"usage.{name}\" ({count}) is larger than any real call ({IngestLimits.MaxTokens}).");
        return count;
    }

    private static double? ParseCost(JsonElement item)
    {
        if (!item.TryGetProperty("costUsd", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var cost) || !double.IsFinite(cost))
            throw new SpanInvalid($"\"costUsd\" must be a number of US dollars or null, not {Describe(value)}.");
        if (cost < 0 || cost > IngestLimits.MaxCostUsd)
            throw new SpanInvalid($"\"costUsd\" ({cost}) must be between 0 and {IngestLimits.MaxCostUsd} dollars.");
        return cost;
    }

    private static IReadOnlyList<string> ParseTags(JsonElement item)
    {
        if (!item.TryGetProperty("tags", out var tags) || tags.ValueKind == JsonValueKind.Null)
            return [];
        if (tags.ValueKind != JsonValueKind.Array)
            throw new SpanInvalid($"\"tags\" must be an array of strings, not {Describe(tags.ValueKind)}.");
        if (tags.GetArrayLength() > IngestLimits.MaxTags)
            throw new SpanInvalid($"\"tags\" has {tags.GetArrayLength()} entries; at most {IngestLimits.MaxTags} are kept per span.");
        var result = new List<string>();
        foreach (var tag in tags.EnumerateArray())
        {
            if (tag.ValueKind != JsonValueKind.String)
                throw new SpanInvalid($"Every tag must be a string, not {Describe(tag.ValueKind)}.");
            var text = tag.GetString()!;
            if (text.Length == 0 || text.Length > IngestLimits.MaxTagLength)
                throw new SpanInvalid($"A tag must be 1 to {IngestLimits.MaxTagLength} characters long.");
            if (!result.Contains(text, StringComparer.Ordinal))
                result.Add(text);
        }
        return result;
    }

    private static Dictionary<string, string> FlattenMetadata(JsonElement metadata)
    {
        foreach (var property in metadata.EnumerateObject())
        {
            if (property.Name.Length > MetadataValues.MaxKeyLength)
                throw new SpanInvalid($"Metadata keys are at most {MetadataValues.MaxKeyLength} characters long; \"{Clip(property.Name)}\" is longer.");
        }
        return MetadataValues.Flatten(metadata);
    }

    private static string RequiredId(JsonElement item, string name) => CheckId(name, RequiredString(item, name, IngestLimits.MaxIdLength));

    private static string? OptionalId(JsonElement item, string name) =>
        OptionalString(item, name, IngestLimits.MaxIdLength) is { } id ? CheckId(name, id) : null;

    private static string CheckId(string name, string id) => IdRules.Problem(name, id) is { } problem ? throw new SpanInvalid(problem) : id;

    /// <summary>The item's id for its error entry, when that id itself is sound text.</summary>
    private static string? SoundId(JsonElement item)
    {
        try
        {
            return item.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string RequiredString(JsonElement item, string name, int maxLength)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            throw new SpanInvalid($"\"{name}\" is required.");
        var text = StringValue(value, name, maxLength);
        if (text.Length == 0)
            throw new SpanInvalid($"\"{name}\" must not be empty.");
        return text;
    }

    private static string? OptionalString(JsonElement item, string name, int maxLength) =>
        item.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? StringValue(value, name, maxLength) : null;

    private static string StringValue(JsonElement value, string name, int maxLength)
    {
        if (value.ValueKind != JsonValueKind.String)
            throw new SpanInvalid($"\"{name}\" must be a string, not {Describe(value)}.");
        var text = value.GetString()!;
        if (text.Length > maxLength)
            throw new SpanInvalid($"\"{name}\" is {text.Length} characters long; the limit is {maxLength}.");
        return text;
    }

    private static JsonElement? OptionalObject(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Object)
            throw new SpanInvalid($"\"{name}\" must be an object of key/value pairs, not {Describe(value.ValueKind)}.");
        return value;
    }

    private static string? OptionalPayload(JsonElement item, string name, int maxBytes) =>
        item.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? Payload(value, name, maxBytes) : null;

    private static string Payload(JsonElement value, string name, int maxBytes)
    {
        // The raw UTF-8 bytes of the value inside the request body: sized and depth-checked without copying or re-encoding.
        var utf8 = JsonMarshal.GetRawUtf8Value(value);
        if (utf8.Length > maxBytes)
            throw new SpanInvalid($"\"{name}\" is {utf8.Length:N0} bytes; the limit is {maxBytes:N0} bytes per span. Truncate it in the client.");
        if (JsonDepth.Exceeds(utf8, IngestLimits.MaxPayloadDepth, out var depth))
            throw new SpanInvalid($"\"{name}\" is nested {depth} levels deep; the limit is {IngestLimits.MaxPayloadDepth}.");
        return StrictUtf8.GetString(utf8); // throws on invalid UTF-8, as GetRawText did
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Clip(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Clip(value.GetRawText())}",
        _ => Describe(value.ValueKind),
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private sealed class SpanInvalid(string message) : Exception(message);
}
