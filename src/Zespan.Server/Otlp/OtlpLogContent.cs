using Zespan.Core.Storage;
using Zespan.Server.Ingestion;
using Zespan.Server.Otlp.Proto.Collector;

namespace Zespan.Server.Otlp;

/// <summary>
/// POST /v1/logs: GenAI content sent as log records (the official JS openai instrumentation emits prompts and completions
/// this way), correlated to their span by trace and span id, becomes the span's prompt and completion whichever of the
/// two arrives first. Log records that are no GenAI content, or carry no span, are accepted and not kept.
/// </summary>
public sealed class OtlpLogContent(ISpanContentStore store, ILogger<OtlpLogContent> logger)
{
    public async Task<IngestStatus> AttachAsync(long projectId, ExportLogsServiceRequest request)
    {
        var bySpan = new Dictionary<string, List<OtlpEvent>>(StringComparer.Ordinal);
        foreach (var resourceLogs in request.ResourceLogs)
        {
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                foreach (var record in scopeLogs.LogRecords)
                {
                    if (record.TraceId.Length != 16 || record.SpanId.Length != 8)
                        continue;
                    var attributes = new OtlpAttributes(record.Attributes);
                    var name = record.EventName is { Length: > 0 } eventName ? eventName : attributes.String("event.name") ?? "";
                    if (!name.StartsWith("gen_ai.", StringComparison.Ordinal))
                        continue;
                    var id = OtlpSpanInContext.ZespanId(Convert.ToHexStringLower(record.TraceId.Span), Convert.ToHexStringLower(record.SpanId.Span));
                    if (!bySpan.TryGetValue(id, out var events))
                        bySpan[id] = events = [];
                    events.Add(new OtlpEvent(name, attributes, record.Body));
                }
            }
        }
        var contents = new List<SpanContent>(bySpan.Count);
        foreach (var (spanId, events) in bySpan)
        {
            try
            {
                var input = OtlpContent.Input(OtlpAttributes.Empty, events);
                var output = OtlpContent.Output(OtlpAttributes.Empty, events);
                if (input is not null || output is not null)
                    contents.Add(new SpanContent(projectId, spanId, input, output));
            }
            catch (System.Text.Json.JsonException)
            {
                // Unreadable content (nested too deeply) is dropped; the span keeps its figures.
            }
        }
        try
        {
            await store.AttachAsync(contents);
            return IngestStatus.Stored;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Storing content of {Count} spans from OTLP logs failed; the request gets 503 and the client retries.", contents.Count);
            return IngestStatus.StorageFailed;
        }
    }
}
