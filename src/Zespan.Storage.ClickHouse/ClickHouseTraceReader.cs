using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// The traces list from the rows the writer keeps per trace (trace_rows, <see cref="TraceRowKeeper"/>); a trace's detail
/// from its spans' newest versions, found by trace id (trace_spans).
/// </summary>
public sealed class ClickHouseTraceReader(ClickHouseHttp http, ClickHouseSql sql) : ITraceReader
{
    public async Task<Page<TraceSummary>> ListAsync(long projectId, TraceQuery query, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["limit"] = (long)query.Limit + 1 };
        ClickHouseSql.TraceParameters(query, parameters);
        // The page from each shard's first row versions, used when the shards' thresholds prove it is the page; else
        // (the first row versions are mostly older versions or filtered out) every trace's newest row is read for it.
        var afterCursor = query.After is not null;
        var candidates = CandidatePage.Candidates(query.Limit + 1);
        parameters["candidates"] = candidates;
        parameters["threshold_at"] = candidates - 1;
        var candidateRows = http.QueryAsync(sql.TracePageOfCandidates(query, afterCursor), parameters, r => (Row: Trace(r), Key: CandidatePage.SortKey.Of(r, 3, 1, idAt: 0)),
            cancellationToken);
        var thresholdRows = http.QueryAsync(sql.TraceCandidateThresholds(query, afterCursor), parameters, r => CandidatePage.SortKey.Of(r, 0, 1, idAt: 1), cancellationToken);
        var countRows = http.QueryAsync(sql.TraceCount(query), parameters, r => r[0].Long(), cancellationToken);
        var candidatePage = await candidateRows;
        var items = CandidatePage.Proves(candidatePage, await thresholdRows, query.Limit + 1, descending: !query.OldestFirst)
            ? candidatePage.Select(p => p.Row).ToList()
            : await http.QueryAsync(sql.TracePage(query, afterCursor), parameters, Trace, cancellationToken);
        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = TraceCursor.Encode(items[^1].StartedMs, items[^1].TraceId);
        }
        return new Page<TraceSummary>(items, next, (await countRows)[0]);
    }

    /// <summary>A trace from a row of <see cref="ClickHouseSql.TraceColumns"/>.</summary>
    private static TraceSummary Trace(System.Text.Json.JsonElement[] r) =>
        new(r[0].Text(), r[1].TextIf(r[2]), r[3].Long(), r[4].Long(), (int)r[5].Long(), (int)r[6].Long(), JsonCell.Cost(r[7], r[8]), (int)r[9].Long(),
            r[10].Long(), (int)r[11].Long(), r[12].TextIf(r[13]), r[14].TextIf(r[15]));

    public async Task<TraceDetail?> GetAsync(long projectId, string traceId, CancellationToken cancellationToken = default)
    {
        // Three point reads by sort key: the trace's span ids, their sessions, then their rows in those sessions.
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["trace"] = traceId };
        var ids = await http.QueryAsync(sql.SpanIdsOfTrace, parameters, r => r[0].Text(), cancellationToken);
        if (ids.Count == 0)
            return null;
        parameters["ids"] = ids;
        parameters["sessions"] = await http.QueryAsync(sql.SessionsOfSpans, parameters, r => r[0].Text(), cancellationToken);
        var spans = await http.QueryAsync(sql.TraceSpans, parameters, SpanReading.Span, cancellationToken);
        if (spans.Count == 0)
            return null;
        var payloads = await SpanReading.PayloadsAsync(http, sql, projectId, spans.Select(s => s.Id).ToList(),
            spans.Select(s => s.SessionId ?? "").Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        return new TraceDetail(traceId, spans.Select(s => payloads.TryGetValue(s.Id, out var p)
            ? s with { InputJson = p.Input, OutputJson = p.Output, MetadataJson = p.Metadata }
            : s).ToList());
    }
}
