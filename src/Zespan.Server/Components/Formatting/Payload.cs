using System.Text.Encodings.Web;
using System.Text.Json;
using Zespan.Core.Ingestion;

namespace Zespan.Server.Components.Formatting;

/// <summary>A chat message as a person reads it: who spoke and what was said (text parts joined, anything else as JSON).</summary>
public sealed record ChatMessage(string Role, string Text);

/// <summary>
/// Reads a prompt or completion as sent by the SDKs: chat messages (chat.completions input, a returned message, choices,
/// responses output items) become role + content; anything else is shown as pretty-printed JSON. Returns text only;
/// the page escapes it like any other value.
/// </summary>
public static class Payload
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Pretty(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return "";
        try
        {
            using var document = JsonDocument.Parse(StoredJson.Readable(json));
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>The messages in the payload, or null when it is not a conversation.</summary>
    public static IReadOnlyList<ChatMessage>? Messages(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;
        try
        {
            using var document = JsonDocument.Parse(StoredJson.Readable(json));
            return MessagesOf(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<ChatMessage>? MessagesOf(JsonElement root)
    {
        switch (root.ValueKind)
        {
            case JsonValueKind.String:
                return [new ChatMessage("text", root.GetString() ?? "")];
            case JsonValueKind.Array:
                var items = root.EnumerateArray().ToList();
                if (items.Count > 0 && items.All(IsMessage))
                    return items.Select(ToMessage).ToList();
                return null;
            case JsonValueKind.Object:
                if (IsMessage(root))
                    return [ToMessage(root)];
                if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
                    return MessagesOf(messages);
                if (root.TryGetProperty("input", out var input) && input.ValueKind is JsonValueKind.Array or JsonValueKind.String)
                    return MessagesOf(input);
                if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
                {
                    var fromChoices = choices.EnumerateArray()
                        .Where(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("message", out var m) && IsMessage(m))
                        .Select(c => ToMessage(c.GetProperty("message"))).ToList();
                    return fromChoices.Count > 0 ? fromChoices : null;
                }
                if (root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array)
                    return MessagesOf(output);
                return null;
            default:
                return null;
        }
    }

    private static bool IsMessage(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String;

    private static ChatMessage ToMessage(JsonElement message)
    {
        var role = message.GetProperty("role").GetString() ?? "";
        var parts = new List<string>();
        if (message.TryGetProperty("content", out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
                parts.Add(content.GetString() ?? "");
            else if (content.ValueKind == JsonValueKind.Array)
                parts.AddRange(content.EnumerateArray().Select(PartText));
            else if (content.ValueKind != JsonValueKind.Null)
                parts.Add(JsonSerializer.Serialize(content, Indented));
        }
        foreach (var extra in new[] { "tool_calls", "function_call", "refusal" })
        {
            if (message.TryGetProperty(extra, out var value) && value.ValueKind is not JsonValueKind.Null)
                parts.Add(extra + ": " + (value.ValueKind == JsonValueKind.String ? value.GetString() : JsonSerializer.Serialize(value, Indented)));
        }
        return new ChatMessage(role, string.Join("\n\n", parts));
    }

    private static string PartText(JsonElement part)
    {
        if (part.ValueKind == JsonValueKind.String)
            return part.GetString() ?? "";
        if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            return text.GetString() ?? "";
        return JsonSerializer.Serialize(part, Indented);
    }
}
