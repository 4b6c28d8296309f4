using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Removes aged-out spans. Months (partitions) wholly before the cutoff that hold only this project's rows are dropped
/// whole — a single-tenant deployment's old months go without writing a row — after any span whose newest version is
/// in them but an older one in a kept month gets a deleted version there. Every other expired span gets a deleted
/// version (same session and trace). Reads take each span's newest version, so the trace detail, session timelines and
/// costs lose the spans at once; the traces and the sessions that lost spans get their rows recomputed from what
/// remains (deleted when nothing is left) before this returns.
/// </summary>
public sealed class ClickHouseRetentionStore(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions, TraceRowKeeper traceRows, SessionRowKeeper sessionRows)
    : IRetentionStore
{
    public Task<string> DataScopeAsync(CancellationToken cancellationToken = default)
    {
        // Every server configured with the same nodes and database deletes from the same data, whatever order it lists them in.
        return Task.FromResult(http.Settings.DataScope);
    }

    public async Task<long> DeleteSpansStartedBeforeAsync(long projectId, long cutoffMs, int batchSize, CancellationToken cancellationToken = default)
    {
        var deleted = await DropWholeMonthsAsync(projectId, cutoffMs, cancellationToken);
        var bounds = new Dictionary<string, object?> { ["project"] = projectId, ["from"] = long.MinValue, ["cutoff"] = cutoffMs };
        while (true)
        {
            var (oldest, rows) = (await http.QueryAsync(sql.OldestLiveRowStart, bounds, r => (r[0].Long(), r[1].Long()), cancellationToken))[0];
            if (rows == 0)
                return deleted;
            var end = oldest < cutoffMs - WindowMs ? oldest + WindowMs : cutoffMs;
            deleted += await DeleteWindowAsync(projectId, oldest, end, batchSize, cancellationToken);
            bounds["from"] = end; // always forward: rows left in the window are older versions of spans that started later
        }
    }

    /// <summary>
    /// The span of time whose expired spans one read finds: each read groups only the spans with a row in its window
    /// (at 10 M spans over 30 days, an hour holds ~14,000), so a read costs a scan of the start column plus that.
    /// </summary>
    private const long WindowMs = 3_600_000;

    /// <summary>Deletes the live spans that started in [from, to), a batch at a time; returns how many.</summary>
    private async Task<long> DeleteWindowAsync(long projectId, long from, long to, int batchSize, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["from"] = from, ["cutoff"] = to, ["batch"] = (long)batchSize };
        long deleted = 0;
        while (true)
        {
            var rows = await http.QueryAsync(sql.ExpiredSpans, parameters, Expired, cancellationToken);
            if (rows.Count == 0)
                return deleted;
            await http.InsertAsync("session_spans", Tombstones(projectId, rows), cancellationToken);
            await traceRows.RecomputeAsync(projectId, rows.Select(r => r.TraceId).ToHashSet(StringComparer.Ordinal), cancellationToken);
            await sessionRows.RecomputeAsync(projectId, SessionsOf(rows), cancellationToken);
            deleted += rows.Count;
            if (rows.Count < batchSize)
                return deleted;
        }
    }

    /// <summary>An expired span as its row reads (span id, session, has session, start: the month its deleted version lands in, trace).</summary>
    private sealed record ExpiredSpan(string SpanId, string SessionId, int HasSession, long StartMs, string TraceId);

    private static ExpiredSpan Expired(System.Text.Json.JsonElement[] r) => new(r[0].Text(), r[1].Text(), (int)r[2].Long(), r[3].Long(), r[4].Text());

    /// <summary>Deleted versions of the spans.</summary>
    private List<SpanRow> Tombstones(long projectId, List<ExpiredSpan> spans) => spans.Select(s => new SpanRow
    {
        ProjectId = projectId,
        SpanId = s.SpanId,
        TraceId = s.TraceId,
        SessionId = s.SessionId,
        HasSession = s.HasSession,
        StartMs = s.StartMs,
        Version = versions.Next(),
        Deleted = 1,
    }).ToList();

    /// <summary>The sessions of the spans, '' for spans of no session (its row marks them recomputed).</summary>
    private static HashSet<string> SessionsOf(List<ExpiredSpan> spans) =>
        spans.Select(s => s.HasSession == 1 ? s.SessionId : "").ToHashSet(StringComparer.Ordinal);

    /// <summary>Drops the months only this project has rows in; returns the spans they held (their newest versions).</summary>
    private async Task<long> DropWholeMonthsAsync(long projectId, long cutoffMs, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["cutoff"] = cutoffMs };
        var months = await http.QueryAsync(sql.DroppableMonths, parameters, r => r[0].Long(), cancellationToken);
        if (months.Count == 0)
            return 0;
        parameters["months"] = months;
        var dropped = (await http.QueryAsync(sql.LiveSpansInMonths, parameters, r => r[0].Long(), cancellationToken))[0];
        await http.InsertAsync("session_spans", Tombstones(projectId, await http.QueryAsync(sql.SpansReachingKeptMonths, parameters, Expired, cancellationToken)), cancellationToken);
        var sessions = await http.QueryAsync(sql.SessionsInMonths, parameters, r => r[0].Text(), cancellationToken);
        var traces = await http.QueryAsync(sql.TracesInMonths, parameters, r => r[0].Text(), cancellationToken);
        var settings = http.Settings;
        foreach (var month in months)
            await http.ExecuteAsync(ClickHouseSql.DropMonth(settings.Database, settings.Cluster), new Dictionary<string, object?> { ["month"] = month }, cancellationToken);
        await traceRows.RecomputeAsync(projectId, traces, cancellationToken);
        await sessionRows.RecomputeAsync(projectId, sessions, cancellationToken);
        return dropped;
    }
}
