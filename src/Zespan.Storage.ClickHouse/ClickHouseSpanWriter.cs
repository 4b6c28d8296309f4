using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Writes each span as a new version row in one INSERT (JSONEachRow), then recomputes the session rows the spans touched
/// (<see cref="SessionRowKeeper"/>) before returning, so a read that starts after the 2xx sees the write in every
/// figure. Nothing is read before the INSERT: a re-send or a late span needs no lookup to be stored.
/// </summary>
public sealed class ClickHouseSpanWriter(ClickHouseHttp http, RowVersions versions, SessionRowKeeper sessionRows) : ISpanWriter
{
    public async Task WriteAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default)
    {
        // The last of duplicates within one call wins, as a later call would.
        var rows = spans.Select(s => SpanRow.Of(s.ProjectId, s.Span, versions.Next())).ToList();
        await http.InsertAsync("session_spans", rows, cancellationToken);
        foreach (var project in spans.GroupBy(s => s.ProjectId))
        {
            var ids = project.Select(s => s.Span.Id).Distinct(StringComparer.Ordinal).ToList();
            var sessions = project.Where(s => s.Span.SessionId is not null).Select(s => s.Span.SessionId!);
            await sessionRows.SpansWrittenAsync(project.Key, ids, sessions, cancellationToken);
        }
    }
}

/// <summary>Keeps content sent apart from spans; reads prefer the span's own payload and fall back to the newest content.</summary>
public sealed class ClickHouseSpanContentStore(ClickHouseHttp http, RowVersions versions) : ISpanContentStore
{
    public Task AttachAsync(IReadOnlyList<SpanContent> contents, CancellationToken cancellationToken = default)
    {
        var rows = contents.Select(c => new ContentRow(c.ProjectId, c.SpanId, c.InputJson ?? "", c.InputJson is null ? 0 : 1,
            c.OutputJson ?? "", c.OutputJson is null ? 0 : 1, versions.Next())).ToList();
        return http.InsertAsync("span_content", rows, cancellationToken);
    }
}
