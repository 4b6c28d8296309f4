using System.Text;
using System.Text.Json;

namespace Zespan.Core.Sessions.Transcripts;

/// <summary>
/// Reads a stored prompt or completion as messages. The forms it knows: OpenAI Chat (<c>messages</c> as sent, the
/// assistant <c>message</c>, a list for n &gt; 1, a whole response with <c>choices</c>), OpenAI Responses (<c>input</c>
/// as text or items, <c>{instructions, input}</c>, <c>output</c> items), and what OTLP mapping stores for GenAI and
/// OpenInference spans (<c>[{role, content}]</c>, content sometimes GenAI parts). Anything else is one "raw" message
/// holding the stored text, so nothing sent is ever hidden.
/// </summary>
public static class MessageParser
{
    public static IReadOnlyList<TranscriptMessage> Parse(string json, MessageOrigin origin)
    {
        try
        {
            // Spans stored before issue 12 may hold lone surrogate escapes, which .NET throws on when it reads them.
            using var document = JsonDocument.Parse(Zespan.Core.Ingestion.StoredJson.Readable(json), new JsonDocumentOptions { MaxDepth = 256 });
            var messages = new List<TranscriptMessage>();
            if (ReadTop(document.RootElement, origin, messages) && messages.Count > 0)
                return messages;
        }
        catch (JsonException)
        {
            // Not JSON at all: shown raw below.
        }
        return [Raw(json, origin)];
    }

    public static TranscriptMessage Raw(string text, MessageOrigin origin) => new(TranscriptMessage.RawRole, text, [], null, null, origin);

    private static bool ReadTop(JsonElement root, MessageOrigin origin, List<TranscriptMessage> into)
    {
        switch (root.ValueKind)
        {
            case JsonValueKind.String:
                into.Add(Message(DefaultRole(origin), root.GetString(), origin));
                return true;
            case JsonValueKind.Array:
                return ReadItems(root, origin, into);
            case JsonValueKind.Object:
                if (root.TryGetProperty("role", out _) || IsItem(root))
                    return ReadItem(root, origin, into);
                if (origin == MessageOrigin.Output && root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
                {
                    foreach (var choice in choices.EnumerateArray())
                    {
                        if (choice.ValueKind != JsonValueKind.Object || !choice.TryGetProperty("message", out var message) || !ReadItem(message, origin, into))
                            return false;
                    }
                    return true;
                }
                if (origin == MessageOrigin.Output && root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array)
                    return ReadItems(output, origin, into);
                var framed = false;
                foreach (var key in (ReadOnlySpan<string>)["instructions", "system"])
                {
                    if (root.TryGetProperty(key, out var system) && system.ValueKind == JsonValueKind.String)
                    {
                        into.Add(Message("system", system.GetString(), origin));
                        framed = true;
                    }
                }
                foreach (var key in (ReadOnlySpan<string>)["messages", "input"])
                {
                    if (root.TryGetProperty(key, out var inner) && inner.ValueKind is JsonValueKind.Array or JsonValueKind.String)
                        return ReadTop(inner, origin, into);
                }
                return framed && root.EnumerateObject().Count() == 1;
            default:
                return false;
        }
    }

    private static bool ReadItems(JsonElement array, MessageOrigin origin, List<TranscriptMessage> into)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
                into.Add(Message(DefaultRole(origin), item.GetString(), origin));
            else if (item.ValueKind != JsonValueKind.Object || !ReadItem(item, origin, into))
                return false;
        }
        return true;
    }

    private static bool IsItem(JsonElement o) => o.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && type.GetString() is "message" or "function_call" or "function_call_output" or "reasoning";

    /// <summary>One Chat message, GenAI/OpenInference message or Responses item.</summary>
    private static bool ReadItem(JsonElement o, MessageOrigin origin, List<TranscriptMessage> into)
    {
        var type = o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "function_call":
                into.Add(new TranscriptMessage("assistant", null, [new TranscriptToolCall(Str(o, "call_id") ?? Str(o, "id"), Str(o, "name") ?? "", Str(o, "arguments"))], null, null, origin));
                return true;
            case "function_call_output":
                into.Add(new TranscriptMessage("tool", TextOf(o.TryGetProperty("output", out var output) ? output : default), [], Str(o, "call_id"), null, origin));
                return true;
            case "reasoning":
                var summary = o.TryGetProperty("summary", out var s) ? TextOf(s) : null;
                if (!string.IsNullOrEmpty(summary))
                    into.Add(new TranscriptMessage("reasoning", summary, [], null, null, origin));
                return true;
        }
        if (!o.TryGetProperty("role", out var roleElement) || roleElement.ValueKind != JsonValueKind.String)
        {
            if (type is not null && type != "message")
            {
                // A Responses item this reader does not know (web_search_call, mcp_call, ...): kept, as it was stored.
                into.Add(new TranscriptMessage(type, o.GetRawText(), [], null, null, origin));
                return true;
            }
            return false;
        }
        var role = roleElement.GetString()!;
        var toolCalls = new List<TranscriptToolCall>();
        string? toolCallId = Str(o, "tool_call_id");
        var text = new StringBuilder();
        var hasText = false;
        if (o.TryGetProperty("content", out var content))
            AppendContent(content, text, ref hasText, toolCalls, ref toolCallId);
        if (o.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String)
            Append(text, ref hasText, refusal.GetString());
        if (o.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object)
                    continue;
                var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : call;
                toolCalls.Add(new TranscriptToolCall(Str(call, "id"), Str(function, "name") ?? "", ArgumentsOf(function)));
            }
        }
        if (o.TryGetProperty("function_call", out var legacy) && legacy.ValueKind == JsonValueKind.Object)
            toolCalls.Add(new TranscriptToolCall(null, Str(legacy, "name") ?? "", ArgumentsOf(legacy)));
        into.Add(new TranscriptMessage(role, hasText && text.Length > 0 ? text.ToString() : null, toolCalls, toolCallId, Str(o, "name"), origin));
        return true;
    }

    /// <summary>Content as text: a string; or parts (OpenAI text/input_text/output_text, GenAI text, tool_call, tool_call_response); other parts as their JSON.</summary>
    private static void AppendContent(JsonElement content, StringBuilder text, ref bool hasText, List<TranscriptToolCall> toolCalls, ref string? toolCallId)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                Append(text, ref hasText, content.GetString());
                return;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return;
            case JsonValueKind.Array:
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        Append(text, ref hasText, part.GetString());
                        continue;
                    }
                    var partType = part.ValueKind == JsonValueKind.Object ? Str(part, "type") : null;
                    switch (partType)
                    {
                        case "text" or "input_text" or "output_text" when (Str(part, "text") ?? Str(part, "content")) is { } partText:
                            Append(text, ref hasText, partText);
                            break;
                        case "refusal" when Str(part, "refusal") is { } refused:
                            Append(text, ref hasText, refused);
                            break;
                        case "tool_call":
                            toolCalls.Add(new TranscriptToolCall(Str(part, "id"), Str(part, "name") ?? "", ArgumentsOf(part)));
                            break;
                        case "tool_call_response":
                            toolCallId ??= Str(part, "id");
                            Append(text, ref hasText, TextOf(part.TryGetProperty("response", out var r) ? r : part.TryGetProperty("result", out var res) ? res : default));
                            break;
                        default:
                            Append(text, ref hasText, part.GetRawText());
                            break;
                    }
                }
                return;
            default:
                Append(text, ref hasText, content.GetRawText());
                return;
        }
    }

    private static void Append(StringBuilder text, ref bool hasText, string? part)
    {
        if (part is null)
            return;
        if (hasText && text.Length > 0 && part.Length > 0)
            text.Append('\n');
        text.Append(part);
        hasText = true;
    }

    /// <summary>A value as display text: a string as it is, summary parts joined, anything else as its JSON.</summary>
    private static string? TextOf(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Array when value.EnumerateArray().All(p => p.ValueKind == JsonValueKind.Object && Str(p, "text") is not null):
                return string.Join("\n", value.EnumerateArray().Select(p => Str(p, "text")));
            default:
                return value.GetRawText();
        }
    }

    private static string? ArgumentsOf(JsonElement function) => function.TryGetProperty("arguments", out var a)
        ? a.ValueKind == JsonValueKind.String ? a.GetString() : a.GetRawText()
        : null;

    private static string? Str(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static TranscriptMessage Message(string role, string? text, MessageOrigin origin) => new(role, text, [], null, null, origin);

    private static string DefaultRole(MessageOrigin origin) => origin == MessageOrigin.Input ? "user" : "assistant";
}
