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

    /// <summary>
    /// As <see cref="WriteAsync"/>, but returns as soon as the spans are committed (durable), with the task of what the
    /// write still finishes outside the store's writer — the embedded store rebuilds a long session there
    /// (DeferredSessionRebuilds) — after which every figure is exact. A caller that writes one batch at a time (the
    /// ingestion pipeline) starts the next batch meanwhile instead of waiting for that rebuild.
    /// </summary>
    async Task<Task> WriteCommittedAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default)
    {
        await WriteAsync(spans, cancellationToken);
        return Task.CompletedTask;
    }
}
