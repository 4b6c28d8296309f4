using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Writes each span as a new version row in one INSERT (JSONEachRow), then recomputes the session rows the spans touched
/// (<see cref="SessionRowKeeper"/>) before returning, so a read that starts after the 2xx sees the write in every
/// figure. Nothing is read before the INSERT, so a re-send or a late span needs no lookup to be stored — except for
/// OTLP spans without a session or user, which take them from their ancestors first and pass theirs down after
/// (<see cref="TraceContextInheritance"/>). After the write, calls without an input take a session name from content
/// sent apart for them (<see cref="ContentSessionNames"/>). A server that dies between the INSERT and the recompute
/// leaves the rows for <see cref="SessionRowRepair"/>.
/// </summary>
public sealed class ClickHouseSpanWriter(
    ClickHouseHttp http, RowVersions versions, SessionRowKeeper sessionRows, TraceContextInheritance inheritance, ContentSessionNames names) : ISpanWriter
{
    public async Task WriteAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default)
    {
        spans = await inheritance.ResolveAsync(spans, cancellationToken);
        await WriteResolvedAsync(spans, cancellationToken);
        await inheritance.PassDownAsync(spans, cancellationToken);
        await names.SpansWrittenAsync(spans, cancellationToken);
    }

    private async Task WriteResolvedAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken)
    {
        var rows = await InsertSpansAsync(spans, cancellationToken);
        foreach (var project in rows.GroupBy(r => r.ProjectId))
        {
            var ids = project.Select(r => r.SpanId).Distinct(StringComparer.Ordinal).ToList();
            // '' for spans of no session: its row marks their write as recomputed, for the repair sweep's check.
            var sessions = project.Select(r => r.SessionId);
            await sessionRows.SpansWrittenAsync(project.Key, ids, sessions, project.ToList(), cancellationToken);
        }
    }

    /// <summary>
    /// The write's first step alone: what a server that dies before its recompute leaves behind (the repair tests
    /// reproduce that crash through it).
    /// </summary>
    internal async Task<List<SpanRow>> InsertSpansAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default)
    {
        // The last of duplicates within one call wins, as a later call would.
        var rows = spans.Select(s => SpanRow.Of(s.ProjectId, s.Span, versions.Next())).ToList();
        await http.InsertAsync("session_spans", rows, cancellationToken);
        return rows;
    }
}

/// <summary>Keeps content sent apart from spans; reads prefer the span's own payload and fall back to the newest content.</summary>
/// <remarks>A call without an input of its own takes its session name from the content's (<see cref="ContentSessionNames"/>).</remarks>
public sealed class ClickHouseSpanContentStore(ClickHouseHttp http, RowVersions versions, ContentSessionNames names) : ISpanContentStore
{
    public async Task AttachAsync(IReadOnlyList<SpanContent> contents, CancellationToken cancellationToken = default)
    {
        var rows = contents.Select(c => new ContentRow(c.ProjectId, c.SpanId, c.InputJson ?? "", c.InputJson is null ? 0 : 1,
            c.OutputJson ?? "", c.OutputJson is null ? 0 : 1, versions.Next())).ToList();
        await http.InsertAsync("span_content", rows, cancellationToken);
        await names.ContentStoredAsync(contents, cancellationToken);
    }
}
