using System.Buffers;
using System.Text.Json;
using Zespan.Core.Spans;

namespace Zespan.DataGen;

/// <summary>Writes spans as the contract's ingest body, <c>{"batch": [...]}</c>, exactly as an SDK would send them.</summary>
public static class IngestJson
{
    public static byte[] Batch(IEnumerable<SpanRecord> spans)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("batch");
            foreach (var s in spans)
                Write(w, s);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, SpanRecord s)
    {
        w.WriteStartObject();
        w.WriteString("id", s.Id);
        w.WriteString("traceId", s.TraceId);
        if (s.ParentId is null) w.WriteNull("parentId"); else w.WriteString("parentId", s.ParentId);
        w.WriteString("sessionId", s.SessionId);
        w.WriteString("userId", s.UserId);
        w.WriteString("name", s.Name);
        w.WriteString("kind", s.Kind == SpanKind.Llm ? "llm" : "span");
        if (s.Model is not null) w.WriteString("model", s.Model);
        if (s.Provider is not null) w.WriteString("provider", s.Provider);
        w.WriteString("startTime", Timestamps.Format(s.StartMs));
        w.WriteString("endTime", Timestamps.Format(s.EndMs));
        if (s.Kind == SpanKind.Llm)
        {
            w.WriteStartObject("usage");
            w.WriteNumber("inputTokens", s.Usage.InputTokens);
            w.WriteNumber("outputTokens", s.Usage.OutputTokens);
            w.WriteNumber("cachedInputTokens", s.Usage.CachedInputTokens);
            w.WriteNumber("reasoningTokens", s.Usage.ReasoningTokens);
            w.WriteEndObject();
        }
        w.WriteString("status", s.Status == SpanStatus.Error ? "error" : "ok");
        if (s.Error is not null) w.WriteString("error", s.Error);
        if (s.InputJson is not null) { w.WritePropertyName("input"); w.WriteRawValue(s.InputJson, skipInputValidation: true); }
        if (s.OutputJson is not null) { w.WritePropertyName("output"); w.WriteRawValue(s.OutputJson, skipInputValidation: true); }
        if (s.MetadataJson is not null) { w.WritePropertyName("metadata"); w.WriteRawValue(s.MetadataJson, skipInputValidation: true); }
        if (s.Tags.Count > 0)
        {
            w.WriteStartArray("tags");
            foreach (var tag in s.Tags)
                w.WriteStringValue(tag);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
