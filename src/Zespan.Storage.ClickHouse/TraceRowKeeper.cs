namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Keeps trace_rows equal to <see cref="ClickHouseSql.TraceRowsOf"/> of the spans written so far, as
/// <see cref="SessionRowKeeper"/> keeps session_rows (which calls this first, so a write whose session rows are
/// recomputed has its trace rows recomputed too: the repair sweep, which looks at session rows, then covers both).
/// Each recompute is one INSERT … SELECT versioned with a tick taken before its reads: the later-started recompute of a
/// trace wins, and it read every write that returned before its tick.
/// </summary>
public sealed class TraceRowKeeper(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions, TraceRowKeeper.Limits? limits = null)
{
    /// <summary>
    /// How much one recompute statement covers: traces while their span ids (which travel in the statement) stay within
    /// <paramref name="SpanIds"/> (a trace with more goes alone), at most <paramref name="Traces"/> of them.
    /// </summary>
    public sealed record Limits(int Traces = 5_000, int SpanIds = 100_000);

    private readonly Limits _limits = limits ?? new Limits();

    /// <summary>
    /// After spans were written (their INSERT returned): recomputes every trace the spans have had a version in, so a
    /// re-send that moved a span to another trace updates the trace it left too. With several writers, the later of two
    /// writes' lookups sees both versions' traces (the earlier INSERT returned before it), as for sessions.
    /// </summary>
    public async Task SpansWrittenAsync(long projectId, IReadOnlyCollection<string> spanIds, CancellationToken cancellationToken)
    {
        var traces = await http.QueryAsync(sql.TracesOfSpans, new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = spanIds },
            r => r[0].Text(), cancellationToken);
        await RecomputeAsync(projectId, traces, cancellationToken);
    }

    /// <summary>Writes the current row of each trace (a deleted one where no live span is left).</summary>
    public async Task RecomputeAsync(long projectId, IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        foreach (var chunk in traceIds.Where(t => t.Length > 0).Order(StringComparer.Ordinal).Chunk(_limits.Traces))
        {
            // The tick first: every write that returned before it is in what the reads below see.
            var version = versions.Next();
            var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["traces"] = chunk };
            var spans = await http.QueryAsync(sql.SpanIdsOfTraces, parameters, r => (Trace: r[0].Text(), Span: r[1].Text()), cancellationToken);
            foreach (var (traces, spanIds) in SpanIdBatches.Pack(chunk, spans.ToLookup(p => p.Trace, p => p.Span, StringComparer.Ordinal), _limits.SpanIds))
            {
                var statement = new Dictionary<string, object?> { ["project"] = projectId, ["traces"] = traces, ["ids"] = spanIds, ["version"] = version };
                statement["sessions"] = await http.QueryAsync(sql.SessionsOfSpans, statement, r => r[0].Text(), cancellationToken);
                await http.ExecuteAsync(sql.InsertTraceRows(sql.TraceRowsOf), statement, cancellationToken);
            }
        }
    }


    /// <summary>
    /// Span rows per statement of the upgrade's fill: each groups the spans of a share of the project's traces, which
    /// stays far below ClickHouse's memory limit (every span at once passed it at 10 M).
    /// </summary>
    private const long SpanRowsPerShare = 1_000_000;

    /// <summary>Migration 009 on existing data: the rows of every project's traces, a share of the trace ids at a time.</summary>
    public async Task FillAsync(CancellationToken cancellationToken)
    {
        var everyVersion = new Dictionary<string, object?> { ["written_after"] = 0UL };
        foreach (var projectId in await http.QueryAsync(sql.ProjectsWrittenAfter, everyVersion, r => r[0].Long(), cancellationToken))
        {
            var parameters = new Dictionary<string, object?> { ["project"] = projectId };
            var rows = (await http.QueryAsync(sql.SpanRowsOfProject, parameters, r => r[0].Long(), cancellationToken))[0];
            var shares = (ulong)Math.Max(1, (rows + SpanRowsPerShare - 1) / SpanRowsPerShare);
            parameters["shares"] = shares;
            for (var share = 0UL; share < shares; share++)
            {
                parameters["share"] = share;
                parameters["version"] = versions.Next();
                await http.ExecuteAsync(sql.InsertTraceRows(sql.TraceRowsOfShare), parameters, cancellationToken);
            }
        }
    }
}
