using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Recomputes every rollup the writer keeps by deltas (SessionRollupDeltas) from the stored session, tag, metadata and
/// trace rows, one GROUP BY per table. For a bulk loader that inserts those rows itself (the benchmarks' loaders): the
/// writer's deltas only follow the rows the writer, the rebuilder and retention change. The statements are the
/// backfills of migrations 030, 040, 047, 074 (the user totals in the normalized two parts of 370), 140, 170, 195, 201,
/// 220, 260, 300, 500 and 510 (trace_models itself, 480, is the loader's).
/// </summary>
public static class SessionRollupBackfill
{
    private const string Hour = "s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000";
    /// <summary>The cost in two parts (migration 190), summed apart as ExactSum.OfRow: no SUM overflows 64 bits.</summary>
    private const string Cost = "SUM(s.cost_high + (s.cost_pico >> 32)), SUM(s.cost_pico & 4294967295)";
    private const string Day = "s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000";
    /// <summary>Each session's kinds (SessionKindRows): the rows of migration 170's, 195's and 300's backfills.</summary>
    private const string Kinds = """
        (SELECT project_id, session_id, 0 AS dim, '' AS key, tag AS kind FROM session_tags
         UNION ALL SELECT DISTINCT project_id, session_id, 2, '', '' FROM session_tags
         UNION ALL SELECT project_id, session_id, 1, key, value FROM session_metadata
         UNION ALL SELECT DISTINCT project_id, session_id, 3, key, '' FROM session_metadata
         UNION ALL SELECT project_id, session_id, 4, '', '' FROM sessions n
                   WHERE NOT EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = n.project_id AND t.session_id = n.session_id))
        """;
    private const string Sums = $"COUNT(*), {Cost}, SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)";

    private static readonly string[] Statements =
    [
        "DELETE FROM project_session_counts",
        "INSERT INTO project_session_counts (project_id, sessions) SELECT project_id, COUNT(*) FROM sessions GROUP BY project_id",
        "DELETE FROM project_trace_counts",
        "INSERT INTO project_trace_counts (project_id, traces) SELECT project_id, COUNT(*) FROM traces GROUP BY project_id",
        "DELETE FROM project_error_trace_counts",
        "INSERT INTO project_error_trace_counts (project_id, traces) SELECT project_id, COUNT(*) FROM traces WHERE error_count > 0 GROUP BY project_id",
        "DELETE FROM trace_counts_hourly",
        $"INSERT INTO trace_counts_hourly (project_id, hour, traces, errored) SELECT s.project_id, {Hour}, COUNT(*), SUM(s.error_count > 0) FROM traces s WHERE s.span_count > 0 GROUP BY 1, 2",
        "DELETE FROM trace_model_counts_hourly",
        $"INSERT INTO trace_model_counts_hourly (project_id, model, hour, traces, errored) SELECT s.project_id, s.model, {Hour}, COUNT(*), SUM(s.errored) FROM trace_models s GROUP BY 1, 2, 3",
        "DELETE FROM session_rollup_hourly",
        $"""
        INSERT INTO session_rollup_hourly (project_id, hour, errored, turns, sessions, priced_sessions, cost_high, cost_pico, unpriced_calls)
        SELECT s.project_id, {Hour}, s.error_count > 0, s.turns, COUNT(*), SUM(s.unpriced_calls < s.turns), {Cost}, SUM(s.unpriced_calls)
        FROM sessions s GROUP BY 1, 2, 3, 4
        """,
        "DELETE FROM session_active_bands_hourly",
        $"""
        INSERT INTO session_active_bands_hourly (project_id, hour, errored, band, sessions)
        SELECT s.project_id, {Hour}, s.error_count > 0, {ActiveTimeBands.Sql("s.active_ms")}, COUNT(*) FROM sessions s GROUP BY 1, 2, 3, 4
        """,
        "DELETE FROM session_tokens_per_turn_hourly",
        $"""
        INSERT INTO session_tokens_per_turn_hourly (project_id, hour, band, sessions)
        SELECT s.project_id, {Hour}, {TokensPerTurnBands.Sql(TokensPerTurnBands.PerTurnSql("s."))}, COUNT(*) FROM sessions s GROUP BY 1, 2, 3
        """,
        "DELETE FROM user_session_totals",
        """
        INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens, unpriced_sessions)
        SELECT project_id, has_user, user_id, sessions, high + (low >> 32), low & 4294967295, turns, tokens, unpriced
        FROM (SELECT project_id, user_id IS NOT NULL AS has_user, coalesce(user_id, '') AS user_id, COUNT(*) AS sessions,
                     SUM(cost_high + (cost_pico >> 32)) AS high, SUM(cost_pico & 4294967295) AS low,
                     SUM(turns) AS turns, SUM(total_tokens) AS tokens, SUM(cost_unknown) AS unpriced
              FROM sessions GROUP BY 1, 2, 3)
        """,
        "DELETE FROM sessions_hourly",
        $"INSERT INTO sessions_hourly (project_id, hour, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions) SELECT s.project_id, {Hour}, {Sums} FROM sessions s GROUP BY 1, 2",
        "DELETE FROM session_tagged_hourly",
        $"""
        INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
        SELECT s.project_id, {Hour}, {Sums} FROM sessions s
        WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = s.project_id AND t.session_id = s.session_id) GROUP BY 1, 2
        """,
        "DELETE FROM session_tags_hourly",
        $"""
        INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
        SELECT t.project_id, {Hour}, t.tag, {Sums}
        FROM session_tags t JOIN sessions s ON s.project_id = t.project_id AND s.session_id = t.session_id GROUP BY 1, 2, 3
        """,
        "DELETE FROM session_metadata_keys_hourly",
        $"""
        INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
        SELECT k.project_id, k.key, {Hour}, {Sums}
        FROM (SELECT DISTINCT project_id, session_id, key FROM session_metadata) k
        JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id GROUP BY 1, 2, 3
        """,
        "DELETE FROM session_metadata_hourly",
        $"""
        INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
        SELECT m.project_id, m.key, {Hour}, m.value, {Sums}
        FROM session_metadata m JOIN sessions s ON s.project_id = m.project_id AND s.session_id = m.session_id GROUP BY 1, 2, 3, 4
        """,
        "DELETE FROM session_kind_costs",
        $"""
        INSERT INTO session_kind_costs (project_id, dim, key, kind, cost_band, day, cost_pico, sessions)
        SELECT s.project_id, k.dim, k.key, k.kind, s.cost_band, {Day}, s.cost_pico, COUNT(*)
        FROM {Kinds} k
        JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
        WHERE s.cost_unknown = 0
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        """,
        "DELETE FROM session_cost_bands_daily",
        $"""
        INSERT INTO session_cost_bands_daily (project_id, day, cost_band, sessions)
        SELECT s.project_id, {Day}, s.cost_band, COUNT(*) FROM sessions s WHERE s.cost_unknown = 0 GROUP BY 1, 2, 3
        """,
        "DELETE FROM session_kind_rollup_daily",
        $"""
        INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
        SELECT s.project_id, k.dim, k.key, k.kind, {Day}, s.error_count > 0, s.turns, COUNT(*), SUM(s.cost_unknown = 0), {Cost}
        FROM {Kinds} k
        JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        """,
        "DELETE FROM session_kind_cost_bands_daily",
        $"""
        INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
        SELECT s.project_id, k.dim, k.key, k.kind, {Day}, s.cost_band, COUNT(*)
        FROM {Kinds} k
        JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
        WHERE s.cost_unknown = 0
        GROUP BY 1, 2, 3, 4, 5, 6
        """,
    ];

    /// <summary>Runs the recomputation in the caller's transaction (or its own statements' autocommit when none).</summary>
    public static void Run(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        foreach (var sql in Statements)
        {
            using var command = connection.Command(sql, transaction);
            command.ExecuteNonQuery();
        }
        SessionSearchQueue.Drain(connection); // the inserted rows' search entries, queued by the triggers (migration 410)
    }
}
