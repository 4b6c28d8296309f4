namespace Zespan.Core.Storage;

/// <summary>A prompt and/or completion for a span, sent separately from the span (OTLP log records).</summary>
public sealed record SpanContent(long ProjectId, string SpanId, string? InputJson, string? OutputJson);

/// <summary>
/// Attaches separately sent content to spans, whichever arrives first: to the stored span at once, and kept for a span
/// that has not arrived (or is re-sent without content), which the writer fills in when it stores it.
/// Content a span carries itself wins; durable when AttachAsync returns.
/// </summary>
public interface ISpanContentStore
{
    Task AttachAsync(IReadOnlyList<SpanContent> contents, CancellationToken cancellationToken = default);
}
