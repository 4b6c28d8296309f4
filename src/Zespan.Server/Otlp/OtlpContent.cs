using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Zespan.Server.Otlp.Proto.Common;

namespace Zespan.Server.Otlp;

/// <summary>A span event or a log record: both carry GenAI content the same way (a name, attributes, for logs a body).</summary>
public sealed record OtlpEvent(string Name, OtlpAttributes Attributes, AnyValue? Body);

/// <summary>
/// Finds a call's prompt and completion in whichever convention carries them and returns them as JSON chat messages
/// (<c>[{"role": "user", "content": "..."}]</c>) where the convention has messages, so the UI shows every stack alike.
/// Precedence (docs/otel.md): Langfuse's own attributes, GenAI message attributes, the GenAI details event, the older
/// per-message events, OpenInference messages, input.value/output.value, the Vercel AI SDK, the deprecated indexed names.
/// </summary>
public static class OtlpContent
{
    /// <summary>Stored content is JSON read back by the API and escaped by the UI when shown; no need to escape +, &lt; or non-ASCII here.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string DetailsEvent = "gen_ai.client.inference.operation.details";
    private static readonly Dictionary<string, string> MessageEvents = new(StringComparer.Ordinal)
    {
        ["gen_ai.system.message"] = "system", ["gen_ai.user.message"] = "user",
        ["gen_ai.assistant.message"] = "assistant", ["gen_ai.tool.message"] = "tool",
    };

    public static string? Input(OtlpAttributes span, IReadOnlyList<OtlpEvent> events)
    {
        if (span.Value("langfuse.observation.input") is { } langfuse)
            return AsJson(langfuse);
        if (span.Value("gen_ai.input.messages") is { } messages)
            return Messages(messages, span.Value("gen_ai.system_instructions"));
        foreach (var e in events)
        {
            if (e.Name == DetailsEvent && e.Attributes.Value("gen_ai.input.messages") is { } detail)
                return Messages(detail, e.Attributes.Value("gen_ai.system_instructions"));
        }
        if (PerMessageEvents(events) is { } fromEvents)
            return fromEvents;
        if (Indexed(span, "llm.input_messages.") is { } openInference)
            return openInference;
        if (span.Value("input.value") is { } value)
            return AsJson(value);
        if (span.Value("ai.prompt.messages") is { } vercelMessages)
            return AsJson(vercelMessages);
        if (span.Value("ai.prompt") is { } vercelPrompt)
            return AsJson(vercelPrompt);
        return Indexed(span, "gen_ai.prompt.") ?? (span.Value("gen_ai.prompt") is { } old ? AsJson(old) : null);
    }

    public static string? Output(OtlpAttributes span, IReadOnlyList<OtlpEvent> events)
    {
        if (span.Value("langfuse.observation.output") is { } langfuse)
            return AsJson(langfuse);
        if (span.Value("gen_ai.output.messages") is { } messages)
            return Messages(messages, null);
        foreach (var e in events)
        {
            if (e.Name == DetailsEvent && e.Attributes.Value("gen_ai.output.messages") is { } detail)
                return Messages(detail, null);
        }
        if (ChoiceEvents(events) is { } choices)
            return choices;
        if (Indexed(span, "llm.output_messages.") is { } openInference)
            return openInference;
        if (span.Value("output.value") is { } value)
            return AsJson(value);
        if (span.Value("ai.response.text") is { } text)
            return AsJson(text, parseJson: false);
        if (span.Value("ai.response.object") is { } obj)
            return AsJson(obj);
        return Indexed(span, "gen_ai.completion.") ?? (span.Value("gen_ai.completion") is { } old ? AsJson(old) : null);
    }

    /// <summary>A value as JSON: structured values as they are; text holding a JSON object or array as that JSON; other text as a string.</summary>
    public static string AsJson(AnyValue value, bool parseJson = true)
    {
        if (value.ValueCase == AnyValue.ValueOneofCase.StringValue)
        {
            var text = value.StringValue;
            if (parseJson && LooksLikeJson(text))
                return text;
            return JsonSerializer.Serialize(text, Relaxed);
        }
        return Write(writer => OtlpAttributes.WriteJson(writer, value));
    }

    /// <summary>GenAI messages (<c>[{"role", "parts": [{"type": "text", "content"}]}]</c>) as chat messages, system instructions first.</summary>
    private static string Messages(AnyValue messages, AnyValue? systemInstructions)
    {
        using var document = JsonDocument.Parse(AsJson(messages));
        using var system = systemInstructions is null ? null : JsonDocument.Parse(AsJson(systemInstructions));
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            return document.RootElement.GetRawText();
        return Write(writer =>
        {
            writer.WriteStartArray();
            if (system is not null)
            {
                writer.WriteStartObject();
                writer.WriteString("role", "system");
                WriteContent(writer, system.RootElement);
                writer.WriteEndObject();
            }
            foreach (var message in document.RootElement.EnumerateArray())
            {
                if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("parts", out var parts))
                {
                    message.WriteTo(writer);
                    continue;
                }
                writer.WriteStartObject();
                writer.WriteString("role", message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String ? role.GetString() : "assistant");
                WriteContent(writer, parts);
                if (message.TryGetProperty("finish_reason", out var finish))
                {
                    writer.WritePropertyName("finish_reason");
                    finish.WriteTo(writer);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
    }

    /// <summary>Parts as "content": their text joined when every part is text, else the parts themselves.</summary>
    private static void WriteContent(Utf8JsonWriter writer, JsonElement parts)
    {
        writer.WritePropertyName("content");
        if (parts.ValueKind == JsonValueKind.String)
        {
            parts.WriteTo(writer);
            return;
        }
        if (parts.ValueKind == JsonValueKind.Array)
        {
            var text = new StringBuilder();
            var allText = true;
            foreach (var part in parts.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueEquals("text")
                    && part.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                    text.Append(content.GetString());
                else
                    allText = false;
            }
            if (allText)
            {
                writer.WriteStringValue(text.ToString());
                return;
            }
        }
        parts.WriteTo(writer);
    }

    /// <summary>The older per-message events (gen_ai.user.message …), in order, as chat messages.</summary>
    private static string? PerMessageEvents(IReadOnlyList<OtlpEvent> events)
    {
        if (!events.Any(e => MessageEvents.ContainsKey(e.Name)))
            return null;
        return Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var e in events)
            {
                if (!MessageEvents.TryGetValue(e.Name, out var role))
                    continue;
                writer.WriteStartObject();
                writer.WriteString("role", EventField(e, "role") is { ValueCase: AnyValue.ValueOneofCase.StringValue } r ? r.StringValue : role);
                writer.WritePropertyName("content");
                OtlpAttributes.WriteJson(writer, EventField(e, "content"));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
    }

    /// <summary>gen_ai.choice events (body or attributes {index, finish_reason, message: {role, content}}) as assistant messages.</summary>
    private static string? ChoiceEvents(IReadOnlyList<OtlpEvent> events)
    {
        if (!events.Any(e => e.Name == "gen_ai.choice"))
            return null;
        return Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var e in events)
            {
                if (e.Name != "gen_ai.choice")
                    continue;
                var message = EventField(e, "message");
                var fields = message?.ValueCase == AnyValue.ValueOneofCase.KvlistValue ? new OtlpAttributes(message.KvlistValue.Values) : OtlpAttributes.Empty;
                writer.WriteStartObject();
                writer.WriteString("role", fields.String("role") ?? "assistant");
                writer.WritePropertyName("content");
                OtlpAttributes.WriteJson(writer, fields.Value("content") ?? EventField(e, "content"));
                if (EventField(e, "finish_reason") is { } finish)
                {
                    writer.WritePropertyName("finish_reason");
                    OtlpAttributes.WriteJson(writer, finish);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
    }

    /// <summary>A field of an event: from its body when the body is a map (logs), else from its attributes (span events).</summary>
    private static AnyValue? EventField(OtlpEvent e, string name)
    {
        if (e.Body?.ValueCase == AnyValue.ValueOneofCase.KvlistValue)
        {
            foreach (var pair in e.Body.KvlistValue.Values)
            {
                if (pair.Key == name)
                    return pair.Value;
            }
        }
        return e.Attributes.Value(name) ?? e.Attributes.Value("gen_ai.event." + name);
    }

    /// <summary>
    /// Flattened messages (<c>prefix.N.message.role</c>/<c>.content</c>, or <c>prefix.N.role</c>/<c>.content</c>) in index
    /// order. A message whose text comes in OpenInference's parts instead (<c>prefix.N.message.contents.M.message_content.text</c>,
    /// as its Anthropic instrumentation sends every message) takes its text parts, in order, one per line.
    /// </summary>
    private static string? Indexed(OtlpAttributes span, string prefix)
    {
        var messages = new SortedDictionary<int, (string? Role, string? Content, SortedDictionary<int, string>? Parts)>();
        foreach (var (key, value) in span.All)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || IndexOf(key.AsSpan(prefix.Length), out var rest) is not { } index)
                continue;
            var field = rest.StartsWith("message.") ? rest["message.".Length..] : rest;
            var current = messages.GetValueOrDefault(index);
            if (field.SequenceEqual("role"))
                messages[index] = current with { Role = OtlpAttributes.Text(value) };
            else if (field.SequenceEqual("content"))
                messages[index] = current with { Content = OtlpAttributes.Text(value) };
            else if (field.StartsWith(ContentsPrefix) && IndexOf(field[ContentsPrefix.Length..], out var part) is { } partIndex
                     && part.SequenceEqual(PartText) && OtlpAttributes.Text(value) is { } text)
            {
                var parts = current.Parts ?? [];
                parts[partIndex] = text;
                messages[index] = current with { Parts = parts };
            }
        }
        if (messages.Count == 0)
            return null;
        return Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var (_, (role, content, parts)) in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", role ?? "user");
                writer.WriteString("content", content ?? (parts is null ? null : string.Join('\n', parts.Values)));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
    }

    private const string ContentsPrefix = "contents.";
    private const string PartText = "message_content.text";

    /// <summary>The index that <paramref name="key"/> starts with (<c>N.</c>), and what follows its dot; null when it starts with none.</summary>
    private static int? IndexOf(ReadOnlySpan<char> key, out ReadOnlySpan<char> rest)
    {
        var dot = key.IndexOf('.');
        rest = dot > 0 ? key[(dot + 1)..] : default;
        return dot > 0 && int.TryParse(key[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || !((trimmed[0] == '[' && trimmed[^1] == ']') || (trimmed[0] == '{' && trimmed[^1] == '}')))
            return false;
        try
        {
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = 256, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
