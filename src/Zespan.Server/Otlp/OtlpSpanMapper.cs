using System.Buffers;
using System.Text.Json;
using Zespan.Core.Spans;
using Zespan.Server.Otlp.Proto.Collector;
using Zespan.Server.Otlp.Proto.Trace;
using ProtoSpan = Zespan.Server.Otlp.Proto.Trace.Span;

namespace Zespan.Server.Otlp;

/// <summary>One OTLP span with what it is read against: its resource's attributes and its instrumentation scope.</summary>
internal sealed record OtlpSpanInContext(ProtoSpan Span, string TraceId, string SpanId, string? ParentSpanId, OtlpAttributes Attributes, OtlpAttributes Resource)
{
    /// <summary>Zespan's span id: OTLP span ids are unique only within their trace, so identity is (trace id, span id).</summary>
    public string Id => ZespanId(TraceId, SpanId);
    public string Label => $"span {SpanId} of trace {TraceId} (\"{(Span.Name.Length <= 60 ? Span.Name : Span.Name[..60] + "…")}\")";
    public static string ZespanId(string traceId, string spanId) => $"{traceId}-{spanId}";
}

/// <summary>The spans of one OTLP request in Zespan's ingest format, for the one validator (BatchParser), with refusals it found first.</summary>
public sealed record OtlpMappedBatch(byte[] BatchJson, IReadOnlyList<string> Labels, IReadOnlyList<string> Refusals);

/// <summary>
/// Maps OTLP spans onto Zespan spans by the conventions in OtlpConventions (docs/otel.md): which spans are LLM calls,
/// session, user, model, tokens, cost, prompt/completion and error. The result is written as an ingest batch
/// ({"batch": [...]}) so the spans go through exactly the validation of /api/v1/ingest: one rule, one message.
/// </summary>
public static class OtlpSpanMapper
{
    public static OtlpMappedBatch Map(ExportTraceServiceRequest request)
    {
        var spans = new List<OtlpSpanInContext>();
        var refusals = new List<string>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = new OtlpAttributes(resourceSpans.Resource?.Attributes);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    if (span.TraceId.Length != 16 || span.TraceId.Span.IndexOfAnyExcept((byte)0) < 0)
                        refusals.Add($"A span (\"{span.Name}\") has no valid traceId: send 16 bytes (32 hex digits in JSON), not all zero.");
                    else if (span.SpanId.Length != 8 || span.SpanId.Span.IndexOfAnyExcept((byte)0) < 0)
                        refusals.Add($"A span (\"{span.Name}\") of trace {Convert.ToHexStringLower(span.TraceId.Span)} has no valid spanId: send 8 bytes (16 hex digits in JSON), not all zero.");
                    else
                        spans.Add(new OtlpSpanInContext(span, Convert.ToHexStringLower(span.TraceId.Span), Convert.ToHexStringLower(span.SpanId.Span),
                            span.ParentSpanId.Length == 8 ? Convert.ToHexStringLower(span.ParentSpanId.Span) : null,
                            new OtlpAttributes(span.Attributes), resource));
                }
            }
        }
        var context = new SpanContextResolver(spans);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(1024, spans.Count * 768));
        var labels = new List<string>(spans.Count);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("batch");
            foreach (var span in spans)
            {
                labels.Add(span.Label);
                WriteItem(writer, span, context);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return new OtlpMappedBatch(buffer.WrittenSpan.ToArray(), labels, refusals);
    }

    /// <summary>Whether the span is one call to a model (counted as a turn, priced), by the first convention that says so.</summary>
    internal static bool IsLlmCall(OtlpSpanInContext span)
    {
        var a = span.Attributes;
        if (a.String("langfuse.observation.type") is { } langfuseType)
            return langfuseType.Equals("generation", StringComparison.OrdinalIgnoreCase);
        if (a.String("openinference.span.kind") is { } openInference)
            return openInference.Equals("LLM", StringComparison.OrdinalIgnoreCase);
        if (a.String("gen_ai.operation.name") is { } operation)
            return OtlpConventions.LlmOperations.Contains(operation);
        // Vercel AI SDK (telemetry before v7): the provider call is ai.*.doGenerate / doStream; its parent repeats the usage.
        var vercelOperation = a.String("ai.operationId") ?? span.Span.Name;
        if (vercelOperation.StartsWith("ai.", StringComparison.Ordinal))
            return vercelOperation.EndsWith(".doGenerate", StringComparison.Ordinal) || vercelOperation.EndsWith(".doStream", StringComparison.Ordinal);
        return a.String(OtlpConventions.Model) is not null
               && (a.HasAnyWithPrefix("gen_ai.usage.") || a.HasAnyWithPrefix("llm.token_count."));
    }

    private static void WriteItem(Utf8JsonWriter writer, OtlpSpanInContext span, SpanContextResolver context)
    {
        var a = span.Attributes;
        var isLlm = IsLlmCall(span);
        writer.WriteStartObject();
        writer.WriteString("id", span.Id);
        writer.WriteString("traceId", span.TraceId);
        if (span.ParentSpanId is { } parent)
            writer.WriteString("parentId", OtlpSpanInContext.ZespanId(span.TraceId, parent));
        WriteIfPresent(writer, "sessionId", context.Session(span));
        WriteIfPresent(writer, "userId", context.User(span));
        WriteIfPresent(writer, "sessionName", Zespan.Core.Sessions.SessionNames.Shorten(a.String(Zespan.Core.Sessions.SessionNames.MetadataKey)));
        writer.WriteString("name", span.Span.Name.Length > 0 ? span.Span.Name : "(unnamed span)");
        writer.WriteString("kind", isLlm ? "llm" : "span");
        WriteIfPresent(writer, "model", a.String(OtlpConventions.Model));
        WriteIfPresent(writer, "provider", a.String(OtlpConventions.Provider));
        writer.WriteString("startTime", Timestamps.Format(NanosToMillis(span.Span.StartTimeUnixNano)));
        writer.WriteString("endTime", Timestamps.Format(NanosToMillis(span.Span.EndTimeUnixNano)));
        var error = Error(span);
        writer.WriteString("status", error is null ? "ok" : "error");
        WriteIfPresent(writer, "error", error);
        if (isLlm)
            WriteUsage(writer, a);
        if (SentCost(a) is { } sent)
            writer.WriteNumber("costUsd", sent);

        var events = span.Span.Events.Select(e => new OtlpEvent(e.Name, new OtlpAttributes(e.Attributes), null)).ToList();
        try
        {
            WriteRawIfPresent(writer, "input", OtlpContent.Input(a, events));
            WriteRawIfPresent(writer, "output", OtlpContent.Output(a, events));
        }
        catch (JsonException)
        {
            // Content that cannot be read as JSON (nested too deeply) is left out; the call and its figures are still stored.
        }
        WriteMetadata(writer, a);
        writer.WriteEndObject();
    }

    /// <summary>Token counts as an exporter reported them; null where it sent none.</summary>
    private readonly record struct ReportedUsage(long? Input, long? Output, long? Cached, long? Reasoning, long? CacheWritten);

    /// <summary>
    /// Tokens as Zespan counts them: input including the tokens read from and written to the cache, output including
    /// reasoning. An exporter that reports input net of the cache (the cache's parts greater than input, as Anthropic's
    /// input_tokens counts) gets them added back, so no call is refused for it and cache writes are priced as such.
    /// </summary>
    private static void WriteUsage(Utf8JsonWriter writer, OtlpAttributes a)
    {
        var usage = new ReportedUsage(a.Long(OtlpConventions.InputTokens), a.Long(OtlpConventions.OutputTokens),
            a.Long(OtlpConventions.CachedTokens), a.Long(OtlpConventions.ReasoningTokens), a.Long(OtlpConventions.CacheCreationTokens));
        if (usage.Input is null && usage.Output is null && a.String("langfuse.observation.usage_details") is { } details)
            usage = LangfuseUsage(details);
        var (input, output, cached, reasoning, written) = usage;
        if (input is null && output is null && cached is null && written is null)
            return;
        var cacheParts = (cached ?? 0) + (written ?? 0);
        if (cacheParts > (input ?? 0))
            input = (input ?? 0) + cacheParts;
        if (reasoning > output)
            output = (output ?? 0) + reasoning;
        writer.WriteStartObject("usage");
        writer.WriteNumber("inputTokens", input ?? 0);
        writer.WriteNumber("outputTokens", output ?? 0);
        writer.WriteNumber("cachedInputTokens", cached ?? 0);
        writer.WriteNumber("reasoningTokens", reasoning ?? 0);
        writer.WriteNumber("cacheCreationInputTokens", written ?? 0);
        writer.WriteEndObject();
    }

    /// <summary>Langfuse's usage_details JSON counts input net of cache reads/writes and output net of reasoning; add them back.</summary>
    private static ReportedUsage LangfuseUsage(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return default;
            long? Get(params string[] names)
            {
                foreach (var name in names)
                {
                    if (root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
                        return n;
                }
                return null;
            }
            var cached = Get("input_cached_tokens", "cache_read_input_tokens", "input_cache_read");
            var creation = Get("input_cache_creation", "cache_creation_input_tokens");
            var reasoning = Get("output_reasoning_tokens", "output_reasoning");
            var input = Get("input", "prompt_tokens", "input_tokens");
            var output = Get("output", "completion_tokens", "output_tokens");
            return new ReportedUsage(input is null ? null : input + (cached ?? 0) + (creation ?? 0), output is null ? null : output + (reasoning ?? 0),
                cached, reasoning, creation);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>Langfuse's cost_details: its "total" when sent, else the sum of its parts.</summary>
    /// <summary>
    /// The cost the exporter sent, if any. One that is not a finite number (NaN, ±Infinity, 1e309) is no cost: the call
    /// is priced from the table as if none was sent (JSON cannot carry it, and it was a 500 before).
    /// </summary>
    private static double? SentCost(OtlpAttributes a)
    {
        double? sent = a.Value("langfuse.observation.cost_details") is { } costDetails && CostFromDetails(costDetails) is { } detailed ? detailed
            : a.Double(OtlpConventions.Cost) is { } cost ? cost
            : a.Double("llm.cost.prompt") is { } promptCost && a.Double("llm.cost.completion") is { } completionCost ? promptCost + completionCost
            : null;
        return sent is { } value && double.IsFinite(value) ? value : null;
    }

    private static double? CostFromDetails(Proto.Common.AnyValue value)
    {
        try
        {
            using var document = JsonDocument.Parse(OtlpContent.AsJson(value));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            if (root.TryGetProperty("total", out var total) && total.ValueKind == JsonValueKind.Number)
                return total.GetDouble();
            double sum = 0;
            var any = false;
            foreach (var part in root.EnumerateObject())
            {
                if (part.Value.ValueKind == JsonValueKind.Number)
                {
                    sum += part.Value.GetDouble();
                    any = true;
                }
            }
            return any ? sum : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The error of a failed span, or null: Langfuse's level, else status ERROR with its message, error.type or exception event.</summary>
    private static string? Error(OtlpSpanInContext span)
    {
        var a = span.Attributes;
        var langfuseError = string.Equals(a.String("langfuse.observation.level"), "ERROR", StringComparison.OrdinalIgnoreCase);
        if (!langfuseError && span.Span.Status?.Code != Status.Types.StatusCode.Error)
            return null;
        var exception = span.Span.Events.FirstOrDefault(e => e.Name == "exception") is { } ev ? new OtlpAttributes(ev.Attributes) : OtlpAttributes.Empty;
        var message = a.String("langfuse.observation.status_message")
                      ?? (span.Span.Status?.Message is { Length: > 0 } m ? m : null)
                      ?? exception.String("exception.message");
        var type = a.String("error.type") ?? exception.String("exception.type");
        var text = (type, message) switch
        {
            (not null, not null) when !message.Contains(type, StringComparison.Ordinal) => $"{type}: {message}",
            (_, not null) => message,
            (not null, null) => type,
            _ => "The span ended with status ERROR.",
        };
        return text.Length <= Core.Ingestion.IngestLimits.MaxErrorLength ? text : text[..Core.Ingestion.IngestLimits.MaxErrorLength];
    }

    private static void WriteMetadata(Utf8JsonWriter writer, OtlpAttributes a)
    {
        var started = false;
        foreach (var (key, value) in a.All)
        {
            foreach (var prefix in OtlpConventions.MetadataPrefixes)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length == prefix.Length)
                    continue;
                var name = key[prefix.Length..];
                if (name is "sessionId" or "userId" or "langfuse_session_id" or "langfuse_user_id" || name.Length > MetadataValues.MaxKeyLength)
                    break;
                if (!started)
                {
                    writer.WriteStartObject("metadata");
                    started = true;
                }
                writer.WritePropertyName(name);
                OtlpAttributes.WriteJson(writer, value);
                break;
            }
        }
        if (started)
            writer.WriteEndObject();
    }

    private static long NanosToMillis(ulong nanos) => (long)(nanos / 1_000_000UL);

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
            writer.WriteString(name, value);
    }

    private static void WriteRawIfPresent(Utf8JsonWriter writer, string name, string? json)
    {
        if (json is null)
            return;
        writer.WritePropertyName(name);
        writer.WriteRawValue(json, skipInputValidation: true);
    }
}
