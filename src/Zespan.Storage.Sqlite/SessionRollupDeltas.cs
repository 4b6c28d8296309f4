using Zespan.Core;
using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// A stored session row as the rollups see it: the columns they group by and sum (the row the writer's fold wrote, see
/// <see cref="Zespan.Core.Sessions.SessionFigures"/>), with its tags and metadata pairs.
/// </summary>
internal sealed record SessionRollupState(
    long StartedMs, long Turns, Int128 CostPico, long UnpricedCalls, long TotalTokens, long ErrorCount, string? UserId, long CostBand, long ActiveMs,
    List<string> Tags, List<(string Key, string Value)> Metadata)
{
    public long Hour => HourRange.Floor(StartedMs);
    public long Day => StartedMs - (((StartedMs % DayMs) + DayMs) % DayMs);
    private const long DayMs = 86_400_000;
    /// <summary>sessions.cost_unknown (migration 072): no call of the session priced.</summary>
    public bool CostUnknown => UnpricedCalls == Turns;
}

/// <summary>
/// The session rollups kept by the writer (migrations 180 and 181, the active-time bands of 201, the tokens-per-turn bands of 260; the guard's queue, 182, the trace counters, 183 and 220, the per-kind costs, 195, and the cost bands and per-kind trends of 140 and 170 since 250): in one write transaction every session row it inserts,
/// changes or deletes is read before and after, its before state is subtracted from every rollup row it counts in and
/// its after state added, and the signed deltas are summed in memory per rollup row and written once at commit. Why:
/// the rollups were kept by UPDATE/DELETE triggers, one set of statements per session row and change; signed deltas
/// summed by the writer are the one mechanism that ports to a summing table (ClickHouse), and a batch writes each
/// touched rollup row once. Every rollup is then "the sum over the stored session rows", exact whatever the change
/// (a new call, a late earlier call, a replacement, a rebuild, retention), because only the stored rows are read.
/// Whoever changes a session row outside this class (a hand-written SQL statement) leaves the rollups behind.
/// <see cref="Flush"/> also ends with the one other piece of work kept to the end of such a transaction: the session_search
/// entries its triggers queued (<see cref="SessionSearchQueue"/>, migration 410).
/// </summary>
internal sealed class SessionRollupDeltas(SqliteConnection connection) : IDisposable
{
    private RawStatement? _readRow;
    private RawStatement? _readPairs;
    private readonly Dictionary<long, long> _counts = [];
    private readonly Dictionary<(long Project, long Hour, bool Errored, long Turns), RollupSums> _hourly = [];
    private readonly Dictionary<(long Project, long Hour, bool Errored, int Band), long> _activeBands = [];
    private readonly Dictionary<(long Project, long Hour, int Band), long> _tokenBands = [];
    private readonly Dictionary<(long Project, bool HasUser, string User), GroupSums> _users = [];
    private readonly List<RawStatement> _statements = [];
    private readonly Dictionary<string, int[]> _keyOrders = new(StringComparer.Ordinal);
    private readonly HashSet<(long, string)> _guardPending = [];
    private readonly Dictionary<long, long> _traceCounts = [];
    private readonly Dictionary<long, long> _errorTraceCounts = [];
    private readonly Dictionary<(long ProjectId, long Hour), (long Traces, long Errored)> _traceHours = [];
    private readonly Dictionary<(long ProjectId, string Model, long Hour), (long Traces, long Errored)> _modelTraceHours = [];
    // The group rollups of 050/074: each a sum over (session, group) pairs, at the session's start hour.
    private readonly GroupRollup _sessionsHourly = new("sessions_hourly", ("project_id", "$p"), ("hour", "$hour"));
    private readonly GroupRollup _taggedHourly = new("session_tagged_hourly", ("project_id", "$p"), ("hour", "$hour"));
    private readonly GroupRollup _tagsHourly = new("session_tags_hourly", ("project_id", "$p"), ("hour", "$hour"), ("tag", "$a"));
    private readonly GroupRollup _metadataKeysHourly = new("session_metadata_keys_hourly", ("project_id", "$p"), ("key", "$a"), ("hour", "$hour"));
    private readonly GroupRollup _metadataHourly = new("session_metadata_hourly", ("project_id", "$p"), ("key", "$a"), ("hour", "$hour"), ("value", "$b"));
    private readonly KindCosts _kindCosts = new();
    private readonly KindTrendDeltas _kindTrends = new();
    private GroupRollup[] Groups => [_sessionsHourly, _taggedHourly, _tagsHourly, _metadataKeysHourly, _metadataHourly];

    /// <summary>
    /// The stored session row and its pairs, or null when the project has no such session. <paramref name="knownPairs"/>:
    /// the session's tags and metadata when the caller knows them (it wrote them in this transaction), so they are not read.
    /// </summary>
    public SessionRollupState? Read(long projectId, string sessionId, SessionPairs? knownPairs = null)
    {
        var row = _readRow ??= new RawStatement(connection,
            "SELECT started_ms, turns, cost_pico, unpriced_calls, total_tokens, error_count, user_id, cost_band, cost_high, active_ms FROM sessions WHERE project_id = $p AND session_id = $s");
        row.Set("$p", projectId);
        row.Set("$s", sessionId);
        if (!row.Read())
            return null;
        var state = new SessionRollupState(row.GetInt64(0), row.GetInt64(1), ExactSum.Join(row.GetInt64(8), row.GetInt64(2)), row.GetInt64(3), row.GetInt64(4), row.GetInt64(5),
            row.GetNullableString(6), row.GetInt64(7), row.GetInt64(9), knownPairs?.Tags ?? [], knownPairs?.Metadata ?? []);
        row.Reset();
        if (knownPairs is not null)
            return state;

        var pairs = _readPairs ??= new RawStatement(connection, """
            SELECT NULL, tag FROM session_tags WHERE project_id = $p AND session_id = $s
            UNION ALL SELECT key, value FROM session_metadata WHERE project_id = $p AND session_id = $s
            """);
        pairs.Set("$p", projectId);
        pairs.Set("$s", sessionId);
        while (pairs.Read())
        {
            if (pairs.GetNullableString(0) is { } key)
                state.Metadata.Add((key, pairs.GetString(1)));
            else
                state.Tags.Add(pairs.GetString(1));
        }
        return state;
    }

    /// <summary>A session row went from <paramref name="before"/> to <paramref name="after"/> (null: absent).</summary>
    public void Move(long projectId, string sessionId, SessionRollupState? before, SessionRollupState? after)
    {
        if (before is not null)
            Apply(projectId, before, -1);
        if (after is not null)
        {
            Apply(projectId, after, +1);
            // The guard evaluates every session a write inserted or changed (migration 141); a deleted one is not queued.
            _guardPending.Add((projectId, sessionId));
        }
    }

    /// <summary>
    /// A session row's active time was recomputed under a new idle threshold (SqliteSessionActivityStore): only the
    /// active-time bands move; no other rollup holds active time, and the guard reads none of it (migration 141).
    /// </summary>
    public void MoveActiveTime(long projectId, SessionRollupState before, SessionRollupState after)
    {
        AddActiveBand(projectId, before, -1);
        AddActiveBand(projectId, after, +1);
    }

    private void AddActiveBand(long projectId, SessionRollupState s, int sign)
    {
        var key = (projectId, s.Hour, s.ErrorCount > 0, ActiveTimeBands.Of(s.ActiveMs));
        _activeBands[key] = _activeBands.GetValueOrDefault(key) + sign;
    }

    /// <summary>
    /// A trace row went from <paramref name="before"/> to <paramref name="after"/> (null: no row), for
    /// project_trace_counts (migration 183: rows), project_error_trace_counts (220: rows with an error) and
    /// trace_counts_hourly (500: both, by the hour of the row's start).
    /// </summary>
    public void MoveTrace(long projectId, TraceCountState? before, TraceCountState? after)
    {
        if (before == after)
            return;
        CountTrace(projectId, before, -1);
        CountTrace(projectId, after, +1);
    }

    private void CountTrace(long projectId, TraceCountState? state, int sign)
    {
        if (state is not { } s)
            return;
        var errored = s.Errors > 0 ? sign : 0;
        _traceCounts[projectId] = _traceCounts.GetValueOrDefault(projectId) + sign;
        _errorTraceCounts[projectId] = _errorTraceCounts.GetValueOrDefault(projectId) + errored;
        var hour = (projectId, HourRange.Floor(s.StartedMs));
        var (traces, erroredTraces) = _traceHours.GetValueOrDefault(hour);
        _traceHours[hour] = (traces + sign, erroredTraces + errored);
    }

    /// <summary>
    /// A trace_models row (a trace and one model of its spans) was added (+1) or removed (−1) with this start and errored
    /// mark, for trace_model_counts_hourly (510); TraceModels calls it for every row it changes.
    /// </summary>
    public void CountModelTrace(long projectId, string model, long startedMs, bool errored, int sign)
    {
        var key = (projectId, model, HourRange.Floor(startedMs));
        var (traces, erroredTraces) = _modelTraceHours.GetValueOrDefault(key);
        _modelTraceHours[key] = (traces + sign, erroredTraces + (errored ? sign : 0));
    }

    private void Apply(long projectId, SessionRollupState s, int sign)
    {
        _counts[projectId] = _counts.GetValueOrDefault(projectId) + sign;
        Add(_hourly, (projectId, s.Hour, s.ErrorCount > 0, s.Turns), new RollupSums(sign, s.UnpricedCalls < s.Turns ? sign : 0, sign * s.CostPico, sign * s.UnpricedCalls));
        AddActiveBand(projectId, s, sign);
        var tokenBand = (projectId, s.Hour, TokensPerTurnBands.Of(TokensPerTurnBands.PerTurn(s.TotalTokens, s.Turns)));
        _tokenBands[tokenBand] = _tokenBands.GetValueOrDefault(tokenBand) + sign;
        var sums = GroupSums.Of(s, sign);
        Add(_users, (projectId, s.UserId is not null, s.UserId ?? ""), sums);

        var hour = s.Hour;
        _sessionsHourly.Add(new GroupKey(projectId, hour, "", ""), sums);
        if (s.Tags.Count > 0)
            _taggedHourly.Add(new GroupKey(projectId, hour, "", ""), sums);
        foreach (var tag in s.Tags)
            _tagsHourly.Add(new GroupKey(projectId, hour, tag, ""), sums);
        foreach (var key in s.Metadata.Select(m => m.Key).Distinct(StringComparer.Ordinal))
            _metadataKeysHourly.Add(new GroupKey(projectId, hour, key, ""), sums);
        foreach (var (key, value) in s.Metadata)
            _metadataHourly.Add(new GroupKey(projectId, hour, key, value), sums);
        _kindCosts.Add(projectId, s, sign);
        _kindTrends.Add(projectId, s, sign);
    }

    private static void Add<TKey, TSums>(Dictionary<TKey, TSums> rows, TKey key, TSums sums) where TKey : notnull where TSums : struct, ISums<TSums> =>
        rows[key] = rows.TryGetValue(key, out var sum) ? sum.Plus(sums) : sums;

    /// <summary>Writes the summed deltas (rows whose delta is zero are not touched) and starts over.</summary>
    public void Flush()
    {
        FlushProjectCounter(_counts, "project_session_counts", "sessions");
        if (_hourly.Count > 0)
        {
            // The cost in two parts (migration 190): an hour of sessions can pass 2^63 picodollars, where one column stopped.
            var hourly = new RollupUpsert<(long Project, long Hour, bool Errored, long Turns), RollupSums>(this, "session_rollup_hourly",
                ["project_id", "hour", "errored", "turns"], ["sessions", "priced_sessions", "cost_high", "cost_pico", "unpriced_calls"],
                $"""
                sessions = sessions + excluded.sessions, priced_sessions = priced_sessions + excluded.priced_sessions,
                {ExactSum.AddRowSql()}, unpriced_calls = unpriced_calls + excluded.unpriced_calls
                """,
                (binder, key) =>
                {
                    binder.Add(key.Project);
                    binder.Add(key.Hour);
                    binder.Add(key.Errored ? 1 : 0);
                    binder.Add(key.Turns);
                },
                (binder, d) =>
                {
                    var (high, pico) = ExactSum.ToRow(d.Cost);
                    binder.Add(d.Sessions);
                    binder.Add(d.Priced);
                    binder.Add(high);
                    binder.Add(pico);
                    binder.Add(d.Unpriced);
                });
            foreach (var (key, d) in _hourly)
            {
                if (!d.IsZero)
                    hourly.Add(key, d, d.Sessions);
            }
            hourly.Finish();
        }
        CountRows.Flush(this, "session_active_bands_hourly", ["project_id", "hour", "errored", "band"], _activeBands, (binder, row) =>
        {
            binder.Add(row.Project);
            binder.Add(row.Hour);
            binder.Add(row.Errored ? 1 : 0);
            binder.Add(row.Band);
        });
        CountRows.Flush(this, "session_tokens_per_turn_hourly", ["project_id", "hour", "band"], _tokenBands, (binder, row) =>
        {
            binder.Add(row.Project);
            binder.Add(row.Hour);
            binder.Add(row.Band);
        });
        if (_users.Count > 0)
        {
            // Two parts, as 071 wrote them, kept normalized since 370 (cost_low < 2^32, its carry in cost_high) so the
            // pair orders the rows by cost for the breakdown's index walk (UserBreakdown).
            var users = new RollupUpsert<(long Project, bool HasUser, string User), GroupSums>(this, "user_session_totals",
                ["project_id", "has_user", "user_id"], ["sessions", "cost_high", "cost_low", "turns", "total_tokens", "unpriced_sessions"],
                $"""
                sessions = sessions + excluded.sessions, {ExactSum.AddCarriedSql()},
                turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens, unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions
                """,
                (binder, key) =>
                {
                    binder.Add(key.Project);
                    binder.Add(key.HasUser ? 1 : 0);
                    binder.Add(key.User);
                },
                (binder, d) =>
                {
                    binder.Add(d.Sessions);
                    binder.Add(ExactSum.High(d.Cost));
                    binder.Add(ExactSum.Low(d.Cost));
                    binder.Add(d.Turns);
                    binder.Add(d.Tokens);
                    binder.Add(d.Unpriced);
                });
            foreach (var (key, d) in _users)
            {
                if (!d.IsZero)
                    users.Add(key, d, d.Sessions);
            }
            users.Finish();
        }
        foreach (var group in Groups)
            group.Flush(this);
        _kindCosts.Flush(this);
        _kindTrends.Flush(this);
        FlushProjectCounter(_traceCounts, "project_trace_counts", "traces");
        FlushProjectCounter(_errorTraceCounts, "project_error_trace_counts", "traces");
        FlushTraceCounts(_traceHours, "trace_counts_hourly", ["project_id", "hour"], (binder, key) =>
        {
            binder.Add(key.ProjectId);
            binder.Add(key.Hour);
        });
        FlushTraceCounts(_modelTraceHours, "trace_model_counts_hourly", ["project_id", "model", "hour"], (binder, key) =>
        {
            binder.Add(key.ProjectId);
            binder.Add(key.Model);
            binder.Add(key.Hour);
        });
        if (_guardPending.Count > 0)
        {
            // REPLACE deletes the session's entry and inserts it again with a new "touch" (AUTOINCREMENT), so an entry being
            // evaluated while this write commits stays for the next round, as the triggers of 141 did.
            var c = Statement("INSERT OR REPLACE INTO guard_pending (project_id, session_id) VALUES ($p, $s)");
            foreach (var (projectId, sessionId) in _guardPending.Order(ProjectKeys.Comparer))
            {
                c.Set("$p", projectId);
                c.Set("$s", sessionId);
                c.Execute();
            }
            _guardPending.Clear();
        }
        _hourly.Clear();
        _users.Clear();
        SessionSearchQueue.Drain(connection); // last: the statements above open savepoints, each of which would flush FTS5
    }

    /// <summary>
    /// Adds summed trace counts (all, errored) to an hourly count table keyed by <paramref name="keyColumns"/> —
    /// trace_counts_hourly (moves of trace rows) or trace_model_counts_hourly (changes of trace_models rows) — then
    /// forgets them. Hours whose counts go back to zero stay.
    /// </summary>
    private void FlushTraceCounts<TKey>(Dictionary<TKey, (long Traces, long Errored)> deltas, string table, string[] keyColumns, Action<RowBinder, TKey> bindKey)
        where TKey : notnull
    {
        if (deltas.Count == 0)
            return;
        var c = Statement($"""
            INSERT INTO {table} ({string.Join(", ", keyColumns)}, traces, errored) VALUES ({string.Join(", ", keyColumns.Select(_ => "?"))}, ?, ?)
            ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET traces = traces + excluded.traces, errored = errored + excluded.errored
            """);
        foreach (var (key, (traces, errored)) in deltas)
        {
            if (traces == 0 && errored == 0)
                continue;
            var binder = new RowBinder(c);
            bindKey(binder, key);
            binder.Add(traces);
            binder.Add(errored);
            c.Execute();
        }
        deltas.Clear();
    }

    /// <summary>Adds each project's summed delta to a per-project counter table (project_id, column), then forgets them.</summary>
    private void FlushProjectCounter(Dictionary<long, long> deltas, string table, string column)
    {
        if (deltas.Count == 0)
            return;
        var c = Statement($"""
            INSERT INTO {table} (project_id, {column}) VALUES ($p, $n)
            ON CONFLICT (project_id) DO UPDATE SET {column} = {column} + excluded.{column}
            """);
        foreach (var (projectId, n) in deltas)
        {
            if (n == 0)
                continue;
            c.Set("$p", projectId);
            c.Set("$n", n);
            c.Execute();
        }
        deltas.Clear();
    }

    /// <summary>A group rollup's row key: project, hour and up to two text parts (tag, or metadata key and value).</summary>
    private readonly record struct GroupKey(long Project, long Hour, string A, string B);

    /// <summary>
    /// One group rollup table (sessions, cost, turns, tokens, unpriced sessions per key). A row whose sessions reach 0 is
    /// deleted, as the triggers of 074 did, so each table equals its GROUP BY over the pairs.
    /// </summary>
    private sealed class GroupRollup(string table, params (string Column, string Parameter)[] key)
    {
        private readonly Dictionary<GroupKey, GroupSums> _rows = [];

        public void Add(GroupKey row, GroupSums sums) => SessionRollupDeltas.Add(_rows, row, sums);

        public void Flush(SessionRollupDeltas owner)
        {
            if (_rows.Count == 0)
                return;
            var upsert = new RollupUpsert<GroupKey, GroupSums>(owner, table, key.Select(k => k.Column).ToArray(),
                ["sessions", "cost_high", "cost_pico", "turns", "total_tokens", "unpriced_sessions"],
                $"""
                sessions = sessions + excluded.sessions, {ExactSum.AddRowSql()}, turns = turns + excluded.turns,
                total_tokens = total_tokens + excluded.total_tokens, unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions
                """,
                BindKey, (binder, d) =>
                {
                    var (high, pico) = ExactSum.ToRow(d.Cost);
                    binder.Add(d.Sessions);
                    binder.Add(high);
                    binder.Add(pico);
                    binder.Add(d.Turns);
                    binder.Add(d.Tokens);
                    binder.Add(d.Unpriced);
                });
            foreach (var (row, d) in _rows)
            {
                if (!d.IsZero)
                    upsert.Add(row, d, d.Sessions);
            }
            upsert.Finish();
            _rows.Clear();
        }

        /// <summary>Binds the key's parts in the order of the table's key columns.</summary>
        private void BindKey(RowBinder binder, GroupKey row)
        {
            foreach (var (_, parameter) in key)
            {
                switch (parameter)
                {
                    case "$p": binder.Add(row.Project); break;
                    case "$hour": binder.Add(row.Hour); break;
                    case "$a": binder.Add(row.A); break;
                    default: binder.Add(row.B); break;
                }
            }
        }
    }

    /// <summary>The table's key order over keyColumns (<see cref="Sqlite.KeyOrder.Of"/>), read once per table, columns and transaction.</summary>
    internal int[] KeyOrder(string table, string[] keyColumns)
    {
        var key = $"{table}({string.Join(", ", keyColumns)})";
        if (!_keyOrders.TryGetValue(key, out var order))
            _keyOrders[key] = order = Sqlite.KeyOrder.Of(connection, table, keyColumns);
        return order;
    }

    internal RawStatement Statement(string sql)
    {
        var statement = new RawStatement(connection, sql);
        _statements.Add(statement);
        return statement;
    }

    public void Dispose()
    {
        _readRow?.Dispose();
        _readPairs?.Dispose();
        foreach (var statement in _statements)
            statement.Dispose();
    }
}

internal interface ISums<TSelf>
{
    TSelf Plus(TSelf other);
}

/// <summary>A session's tags and metadata pairs, as SessionRollupState holds them.</summary>
internal sealed record SessionPairs(List<string> Tags, List<(string Key, string Value)> Metadata);

/// <summary>session_rollup_hourly's sums (migration 040).</summary>
internal readonly record struct RollupSums(long Sessions, long Priced, Int128 Cost, long Unpriced) : ISums<RollupSums>
{
    public RollupSums Plus(RollupSums o) => new(Sessions + o.Sessions, Priced + o.Priced, Cost + o.Cost, Unpriced + o.Unpriced);
    public bool IsZero => Sessions == 0 && Priced == 0 && Cost == 0 && Unpriced == 0;
}

/// <summary>The sums of the user totals (071) and the group rollups (050, 074): sessions, cost, turns, tokens, unpriced sessions.</summary>
internal readonly record struct GroupSums(long Sessions, Int128 Cost, long Turns, long Tokens, long Unpriced) : ISums<GroupSums>
{
    public static GroupSums Of(SessionRollupState s, int sign) =>
        new(sign, sign * s.CostPico, sign * s.Turns, sign * s.TotalTokens, s.CostUnknown ? sign : 0);

    public GroupSums Plus(GroupSums o) => new(Sessions + o.Sessions, Cost + o.Cost, Turns + o.Turns, Tokens + o.Tokens, Unpriced + o.Unpriced);
    public GroupSums Minus(GroupSums o) => new(Sessions - o.Sessions, Cost - o.Cost, Turns - o.Turns, Tokens - o.Tokens, Unpriced - o.Unpriced);
    public bool IsZero => Sessions == 0 && Cost == 0 && Turns == 0 && Tokens == 0 && Unpriced == 0;
}
