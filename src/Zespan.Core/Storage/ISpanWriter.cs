using Zespan.Core.Spans;

namespace Zespan.Core.Storage;

/// <summary>A span to store and the project it belongs to.</summary>
public readonly record struct ProjectSpan(long ProjectId, SpanRecord Span);

/// <summary>
/// Stores spans and keeps every derived figure (sessions, traces, per-model costs) exact.
/// Idempotent by (project, span id): writing a span again replaces the earlier version and no figure counts it twice.
/// Durable: when WriteAsync returns, the spans survive a crash of the process.
/// All spans of one call are written atomically (all or none).
/// </summary>
public interface ISpanWriter
{
    Task WriteAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default);
}
