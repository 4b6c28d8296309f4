using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Writes each span as a new version row in one INSERT (JSONEachRow). Nothing is read first and no aggregate is updated:
/// every figure is computed from each span's newest version when read, so writers never contend and a re-send or a
/// late span is exact as soon as its INSERT returns.
/// </summary>
public sealed class ClickHouseSpanWriter(ClickHouseHttp http, RowVersions versions) : ISpanWriter
{
    public Task WriteAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default)
    {
        // The last of duplicates within one call wins, as a later call would.
        var rows = spans.Select(s => SpanRow.Of(s.ProjectId, s.Span, versions.Next())).ToList();
        return http.InsertAsync("session_spans", rows, cancellationToken);
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
