namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Keeps session_rows equal to <see cref="ClickHouseSql.Sessions"/> of the spans written so far: whoever changes spans
/// (the writer, retention) recomputes the sessions it touched before it returns, and a threshold change recomputes the
/// project. Each recompute is one INSERT … SELECT on the server, versioned with a tick taken before its read starts: of
/// two recomputes of a session the later-started one wins, and it read every write that returned before its tick —
/// so the newest row always reflects every write whose writer has answered (several servers included, as long as
/// their clocks agree better than their writes are apart: see docs/deploy.md, "Consistency model"). A writer that dies
/// before its recompute leaves the rows to <see cref="SessionRowRepair"/>, which recomputes through this class too.
/// </summary>
public sealed class SessionRowKeeper(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions, TraceRowKeeper traceRows, SessionRowKeeper.Limits? limits = null)
{
    /// <summary>
    /// How much one recompute statement covers. Few and large statements: with random session ids (UUIDs, as SDKs send
    /// them) a statement's sessions fall in nearly every granule of session_spans, so each statement costs about a read
    /// of the whole table whatever its size, and a group commit's sessions are best recomputed in one. The ids of the
    /// sessions' moved spans travel in the statement, so sessions with many moves split it: a statement takes sessions
    /// while their moved ids stay within <paramref name="SpanIds"/> (a session with more goes alone).
    /// </summary>
    public sealed record Limits(int Sessions = 5_000, int SpanIds = 100_000);

    private readonly Limits _limits = limits ?? new Limits();

    /// <summary>
    /// After spans were written (their INSERT returned): looks up every session and trace the spans have had a version in
    /// (span_keys, one read), updates their traces' rows (<see cref="TraceRowKeeper"/>), then records the spans that now
    /// have versions in two sessions or more in span_moves, under each of those sessions, then recomputes the spans'
    /// sessions and every other session that holds a version of one of them, so a re-send that moved a span out of a
    /// session updates that session too. The trace rows come first: a server that stops between the two leaves stale
    /// session rows, which the repair sweep finds and recomputes both from.
    /// Why a move is never missed, with several writers: each writer looks its spans up after its own INSERT returned, so
    /// of two writes of one span into two sessions, the later lookup sees both versions (the earlier INSERT returned
    /// before it) and records the move before its recomputes — whose ticks are then the newest of both sessions'.
    /// </summary>
    /// <param name="written">The rows the write inserted, when known: traces written whole get their rows from them
    /// (<see cref="TraceRowKeeper.SpansWrittenAsync"/>).</param>
    internal async Task SpansWrittenAsync(long projectId, IReadOnlyCollection<string> spanIds, IEnumerable<string> sessionIds, IReadOnlyCollection<SpanRow> written,
        CancellationToken cancellationToken)
    {
        // The trace rows' tick, taken before the lookup they follow from.
        var traceVersion = versions.Next();
        var keys = await http.QueryAsync(sql.KeysOfSpans, new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = spanIds },
            r => new SpanKey(r[0].Text(), r[1].Text(), r[2].Text(), r[3].ULong()), cancellationToken);
        await traceRows.SpansWrittenAsync(projectId, keys, written, traceVersion, cancellationToken);
        var touched = new HashSet<string>(sessionIds, StringComparer.Ordinal);
        var moves = keys.GroupBy(k => k.SpanId, StringComparer.Ordinal)
            .Select(span => (SpanId: span.Key, Sessions: span.Select(k => k.SessionId).Distinct(StringComparer.Ordinal).ToList()))
            .Where(span => span.Sessions.Count > 1)
            .SelectMany(span => span.Sessions.Select(session => new MoveRow(projectId, session, span.SpanId, 0)))
            .ToList();
        if (moves.Count > 0)
        {
            var version = versions.Next();
            await http.InsertAsync("span_moves", moves.Select(m => m with { Version = version }).ToList(), cancellationToken);
            // '' (no session) has no row of figures; a move into or out of it changes the named session's only.
            touched.UnionWith(moves.Select(m => m.SessionId).Where(s => s.Length > 0));
        }
        await RecomputeAsync(projectId, touched, cancellationToken);
    }

    /// <summary>A row of span_moves: the span has had a version in the session ('' for none) and in another one.</summary>
    private sealed record MoveRow(long ProjectId, string SessionId, string SpanId, ulong Version);

    /// <summary>Writes the current row of each session (a deleted one where no live call is left).</summary>
    public async Task RecomputeAsync(long projectId, IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken)
    {
        foreach (var chunk in sessionIds.Order(StringComparer.Ordinal).Chunk(_limits.Sessions))
        {
            // The tick first: every write that returned before it is in what the reads below see, those of every
            // statement the chunk is split into included.
            var version = versions.Next();
            // '' (no session) is left out: the recompute never reads its spans, and it can list every span ever moved.
            var named = chunk.Where(s => s.Length > 0).ToArray();
            var moved = named.Length == 0 ? [] : await http.QueryAsync(sql.MovedSpanIdsOfSessions,
                new Dictionary<string, object?> { ["project"] = projectId, ["sessions"] = named }, r => (Session: r[0].Text(), Span: r[1].Text()), cancellationToken);
            var movedIdsBySession = moved.ToLookup(p => p.Session, p => p.Span, StringComparer.Ordinal);
            foreach (var (sessions, spanIds) in SpanIdBatches.Pack(chunk, movedIdsBySession, _limits.SpanIds))
            {
                var parameters = new Dictionary<string, object?>
                {
                    ["project"] = projectId, ["sessions"] = sessions, ["version"] = version, ["moved_span_ids"] = spanIds,
                };
                await http.ExecuteAsync(sql.InsertSessionRows(sql.SessionRowsOf), parameters, cancellationToken);
            }
        }
    }


    /// <summary>
    /// Writes the current row of every session of the project (a new threshold, the upgrade), in sorted chunks of
    /// <see cref="Limits.Sessions"/>: each chunk's ids are consecutive in the sort key, so its statement reads that range
    /// only. One statement over the whole project grouped every span at once, which at 10 M spans passes ClickHouse's
    /// memory limit (docs/benchmarks.md, session 23).
    /// </summary>
    public async Task RecomputeProjectAsync(long projectId, CancellationToken cancellationToken)
    {
        var sessions = await http.QueryAsync(sql.SessionIdsOfProject, new Dictionary<string, object?> { ["project"] = projectId }, r => r[0].Text(), cancellationToken);
        await RecomputeAsync(projectId, sessions, cancellationToken);
    }

    /// <summary>Migrations 004 and 007 on existing data: the rows of every project's sessions.</summary>
    public async Task FillAsync(CancellationToken cancellationToken)
    {
        var everyVersion = new Dictionary<string, object?> { ["written_after"] = 0UL };
        foreach (var projectId in await http.QueryAsync(sql.ProjectsWrittenAfter, everyVersion, r => r[0].Long(), cancellationToken))
            await RecomputeProjectAsync(projectId, cancellationToken);
    }
}
