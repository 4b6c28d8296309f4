namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Keeps trace_rows equal to <see cref="ClickHouseSql.TraceRowsOf"/> of the spans written so far, as
/// <see cref="SessionRowKeeper"/> keeps session_rows (which calls this first, so a write whose session rows are
/// recomputed has its trace rows recomputed too: the repair sweep, which looks at session rows, then covers both).
/// Each recompute is one INSERT … SELECT versioned with a tick taken before its reads: the later-started recompute of a
/// trace wins, and it read every write that returned before its tick. A trace a write sent whole is not read again: its
/// row is folded from the write's own rows, under the same rule (<see cref="SpansWrittenAsync"/>).
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
    /// After spans were written (their INSERT returned): the rows of every trace the spans have had a version in
    /// (<paramref name="keys"/>, the write's lookup in span_keys), so a re-send that moved a span to another trace updates
    /// the trace it left too. With several writers, the later of two writes' lookups sees both versions' traces (the
    /// earlier INSERT returned before it), as for sessions.
    /// A trace whose every span (trace_spans) is among <paramref name="written"/>, each at its newest version anywhere
    /// (the greatest in <paramref name="keys"/>), gets its row folded from those rows here: that is what a recompute would
    /// read, so no span row is read (the usual case: a new trace written whole). Any other trace is recomputed. Either way
    /// the row's version is <paramref name="version"/>, a tick taken before the lookup, so the rule of
    /// <see cref="RecomputeAsync(long, IReadOnlyCollection{string}, CancellationToken)"/> holds for both.
    /// </summary>
    /// <param name="written">The rows this write inserted (the last of a span's duplicates wins); none when only the ids
    /// are known (the repair sweep), which recomputes every trace.</param>
    internal async Task SpansWrittenAsync(long projectId, IReadOnlyCollection<SpanKey> keys, IReadOnlyCollection<SpanRow> written, ulong version,
        CancellationToken cancellationToken)
    {
        var newest = keys.GroupBy(k => k.SpanId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(k => k.Version), StringComparer.Ordinal);
        var writtenByTrace = written.GroupBy(r => r.SpanId, StringComparer.Ordinal).Select(g => g.MaxBy(r => r.Version)!)
            .Where(r => newest.GetValueOrDefault(r.SpanId) == r.Version)
            .ToLookup(r => r.TraceId, StringComparer.Ordinal);
        foreach (var chunk in keys.Select(k => k.TraceId).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Chunk(_limits.Traces))
        {
            var spans = await SpanIdsOfAsync(projectId, chunk, cancellationToken);
            var whole = chunk.Where(t => IsWhole(writtenByTrace[t], spans[t])).ToHashSet(StringComparer.Ordinal);
            await http.InsertAsync("trace_rows", whole.Select(t => TraceRow.Of(projectId, t, writtenByTrace[t].ToList(), version)).ToList(), cancellationToken);
            await RecomputeAsync(projectId, chunk.Where(t => !whole.Contains(t)).ToArray(), spans, version, cancellationToken);
        }
    }

    /// <summary>The trace's every span (trace_spans) is among the rows written at their newest version, and there is one.</summary>
    private static bool IsWhole(IEnumerable<SpanRow> written, IEnumerable<string> spanIdsOfTrace)
    {
        var ids = written.Select(r => r.SpanId).ToHashSet(StringComparer.Ordinal);
        return ids.Count > 0 && ids.SetEquals(spanIdsOfTrace);
    }

    /// <summary>Writes the current row of each trace (a deleted one where no live span is left).</summary>
    public async Task RecomputeAsync(long projectId, IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        foreach (var chunk in traceIds.Where(t => t.Length > 0).Order(StringComparer.Ordinal).Chunk(_limits.Traces))
        {
            // The tick first: every write that returned before it is in what the reads below see.
            var version = versions.Next();
            await RecomputeAsync(projectId, chunk, await SpanIdsOfAsync(projectId, chunk, cancellationToken), version, cancellationToken);
        }
    }

    /// <summary>Each of the traces with every span that has had a version in it (trace_spans).</summary>
    private async Task<ILookup<string, string>> SpanIdsOfAsync(long projectId, string[] traces, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["traces"] = traces };
        var spans = await http.QueryAsync(sql.SpanIdsOfTraces, parameters, r => (Trace: r[0].Text(), Span: r[1].Text()), cancellationToken);
        return spans.ToLookup(p => p.Trace, p => p.Span, StringComparer.Ordinal);
    }

    /// <summary>
    /// The recompute of <paramref name="traces"/> (sorted) from their span ids, read after <paramref name="version"/> was
    /// taken, in statements split by <see cref="Limits"/>.
    /// </summary>
    private async Task RecomputeAsync(long projectId, string[] traces, ILookup<string, string> spanIdsByTrace, ulong version, CancellationToken cancellationToken)
    {
        foreach (var (batch, spanIds) in SpanIdBatches.Pack(traces, spanIdsByTrace, _limits.SpanIds))
        {
            var statement = new Dictionary<string, object?> { ["project"] = projectId, ["traces"] = batch, ["ids"] = spanIds, ["version"] = version };
            statement["sessions"] = await http.QueryAsync(sql.SessionsOfSpans, statement, r => r[0].Text(), cancellationToken);
            await http.ExecuteAsync(sql.InsertTraceRows(sql.TraceRowsOf), statement, cancellationToken);
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
