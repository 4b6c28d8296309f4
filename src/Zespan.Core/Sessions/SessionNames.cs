using System.Text;
using System.Text.Json;

namespace Zespan.Core.Sessions;

/// <summary>
/// A session's readable name. An explicit one (the span's <c>sessionName</c>, its metadata <c>session.name</c>, the OTLP
/// attribute <c>session.name</c>) wins over one derived from the first user message; among names of the same kind the
/// earliest call's wins (start time, then span id in code point order), so the name does not depend on arrival order.
/// </summary>
public static class SessionNames
{
    public const int MaxLength = 80;
    public const string MetadataKey = "session.name";

    /// <summary>Whitespace runs collapsed to one space, trimmed, cut to <see cref="MaxLength"/> characters with "…"; null when empty.</summary>
    public static string? Shorten(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var builder = new StringBuilder(Math.Min(text.Length, MaxLength + 1));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
                builder.Append(' ');
            space = false;
            builder.Append(c);
            if (builder.Length > MaxLength)
                break;
        }
        if (builder.Length <= MaxLength)
            return builder.ToString();
        var cut = MaxLength - 1;
        if (char.IsHighSurrogate(builder[cut - 1]))
            cut--; // never split a surrogate pair
        return builder.ToString(0, cut).TrimEnd() + "…";
    }

    /// <summary>
    /// The text of the first user message of a call's input: an OpenAI-style message array (or an object with
    /// "messages" / "input" holding one), whose content is a string or a list of parts with "text"; a bare string input
    /// is the user's text. Null when there is none or the input is not JSON.
    /// </summary>
    public static string? FirstUserMessage(string? inputJson)
    {
        if (string.IsNullOrEmpty(inputJson))
            return null;
        try
        {
            // Spans stored before issue 12 may hold lone surrogate escapes, which .NET throws on when it reads them.
            using var document = JsonDocument.Parse(Ingestion.StoredJson.Readable(inputJson), new JsonDocumentOptions { MaxDepth = 256 });
            return Shorten(FromInput(document.RootElement));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? FromInput(JsonElement input)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                return input.GetString();
            case JsonValueKind.Object:
                foreach (var name in new[] { "messages", "input" })
                {
                    if (input.TryGetProperty(name, out var inner) && inner.ValueKind is JsonValueKind.Array or JsonValueKind.String)
                        return FromInput(inner);
                }
                return null;
            case JsonValueKind.Array:
                foreach (var message in input.EnumerateArray())
                {
                    if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var role)
                        && role.ValueKind == JsonValueKind.String && role.ValueEquals("user")
                        && message.TryGetProperty("content", out var content) && Text(content) is { } text)
                        return text;
                }
                return null;
            default:
                return null;
        }
    }

    private static string? Text(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
            return content.GetString() is { } whole && !string.IsNullOrWhiteSpace(whole) ? whole : null;
        if (content.ValueKind != JsonValueKind.Array)
            return null;
        var parts = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            var text = part.ValueKind switch
            {
                JsonValueKind.String => part.GetString(),
                JsonValueKind.Object when part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String => t.GetString(),
                _ => null,
            };
            if (!string.IsNullOrWhiteSpace(text))
                parts.Append(parts.Length > 0 ? " " : "").Append(text);
            if (parts.Length > MaxLength * 2)
                break;
        }
        return parts.Length > 0 ? parts.ToString() : null;
    }

    /// <summary>Whether candidate (explicit, start, span id) beats the current one.</summary>
    public static bool Beats(bool explicitName, long startMs, string spanId, bool currentExplicit, long currentStartMs, string currentSpanId) =>
        explicitName != currentExplicit ? explicitName : Zespan.Core.Spans.EarliestSpan.IsEarlier(startMs, spanId, currentStartMs, currentSpanId);
}
