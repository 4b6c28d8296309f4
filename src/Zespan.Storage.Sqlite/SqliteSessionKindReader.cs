using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Sessions with their kind of conversation, and session-grain trends, read from the sessions table the list reads
/// (with its filters, <see cref="SessionSql.AppendFilter"/>) joined to the session tags or metadata values.
/// </summary>
public sealed class SqliteSessionKindReader(SqliteDatabase database) : ISessionKindReader, ISessionNumbersReader
{
    public async Task<IReadOnlyList<KindedSession>> SessionsAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var (kindColumn, join) = KindJoin(command, by);
        var sql = new StringBuilder($"SELECT {SessionSql.Columns}, {kindColumn} FROM sessions s {join} WHERE s.project_id = $p");
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, filter);
        if (sessionId is not null)
        {
            sql.Append(" AND s.session_id = $session");
            command.With("$session", sessionId);
        }
        command.CommandText = sql.ToString();
        var rows = new List<KindedSession>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read()) // synchronous: Microsoft.Data.Sqlite steps synchronously anyway; this loop runs per session
            rows.Add(new KindedSession(SessionSql.Read(reader), reader.GetNullableString(SessionSql.ColumnCount)));
        return rows;
    }

    /// <summary>
    /// The numbers only, read (with no filter but time) from the covering start-time index: sessions_by_started holds the
    /// id, turns, cost, unpriced calls and tokens, so a week of a million-session month is ~230,000 index entries, where
    /// the full rows were ~5 µs each. A project with a cost past 2^63 picodollars (cost_high, not in the index) gets false:
    /// its full rows are read.
    /// </summary>
    public async Task<bool> NumbersAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, BaselineBuilder into, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (await OverBound.AnyAsync(connection, projectId, cancellationToken))
            return false;
        ReadNumbers(connection, projectId, filter, by, null, into.Add, cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<SessionNumbers>> NumbersAtOrAboveAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, FlagFloors floors, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = new List<SessionNumbers>();
        ReadNumbers(connection, projectId, filter, by, floors, (in SessionNumbers row) => rows.Add(row), cancellationToken);
        return rows;
    }

    public async Task<long> CountAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken);
    }

    /// <summary>
    /// The rows' numbers, stepped raw (through Microsoft.Data.Sqlite's data reader the loop cost ~1.5 µs a row, SQLite's
    /// own work ~0.2). With floors: only sessions with a figure at or above one, and their ids. Each floor is lowered by a
    /// billionth so the comparison in SQLite's arithmetic keeps every session the rule's doubles reach (a superset).
    /// </summary>
    private static void ReadNumbers(
        SqliteConnection connection, long projectId, SessionFilter filter, SessionGrouping? by, FlagFloors? floors, NumbersSink add, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        var (kindColumn, join) = KindJoin(command, by);
        var sql = new StringBuilder($"SELECT s.cost_pico, s.unpriced_calls, s.turns, s.total_tokens, {kindColumn}{(floors is null ? "" : ", s.session_id")} FROM sessions s {join} WHERE s.project_id = $p");
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, filter);
        if (floors is not null)
        {
            sql.Append(" AND (s.cost_pico >= $costFloor OR s.turns >= $turnsFloor OR s.total_tokens >= $perTurnFloor * s.turns)");
            command.With("$costFloor", Lowered(floors.CostPico));
            command.With("$turnsFloor", Lowered(floors.Turns));
            command.With("$perTurnFloor", Lowered(floors.TokensPerTurn));
        }
        using var statement = new RawStatement(connection, sql.ToString());
        statement.BindAll(command.Parameters);
        while (statement.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            add(new SessionNumbers(floors is null ? null : statement.GetString(5), by is null ? null : statement.GetNullableString(4),
                statement.GetInt64(0), (int)statement.GetInt64(1), (int)statement.GetInt64(2), statement.GetInt64(3)));
        }
    }

    private delegate void NumbersSink(in SessionNumbers row);

    /// <summary>A floor as the SQL compares it: a billionth lower, or past every value when nothing can be flagged.</summary>
    private static double Lowered(double? floor) => floor is { } f ? f * (1 - 1e-9) : double.MaxValue;

    /// <summary>The full rows of the sessions named, by primary key (the ids passed as one JSON array, not spliced into SQL).</summary>
    public async Task<IReadOnlyList<KindedSession>> SessionsByIdAsync(
        long projectId, IReadOnlyCollection<string> sessionIds, SessionGrouping? by, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var (kindColumn, join) = KindJoin(command, by);
        command.CommandText = $"SELECT {SessionSql.Columns}, {kindColumn} FROM sessions s {join} WHERE s.project_id = $p AND s.session_id IN (SELECT value FROM json_each($ids))";
        command.With("$p", projectId);
        command.With("$ids", System.Text.Json.JsonSerializer.Serialize(sessionIds));
        var rows = new List<KindedSession>(sessionIds.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            rows.Add(new KindedSession(SessionSql.Read(reader), reader.GetNullableString(SessionSql.ColumnCount)));
        return rows;
    }

    public async Task<SessionTimeseries> TimeseriesAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, TimeBuckets buckets, int maxKinds, CancellationToken cancellationToken = default)
    {
        var bounded = filter with
        {
            FromMs = Math.Max(filter.FromMs ?? long.MinValue, buckets.FromMs),
            ToMs = Math.Min(filter.ToMs ?? long.MaxValue, buckets.ToMs),
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        if (DailyTrendRollup.Covers(bounded, by, buckets) && !await OverBound.AnyAsync(connection, projectId, cancellationToken))
            return await DailyTrendRollup.ReadAsync(connection, projectId, buckets, cancellationToken);
        if (KindTrendRollup.Covers(bounded, by, buckets) && !await OverBound.AnyAsync(connection, projectId, cancellationToken))
            return await KindTrendRollup.ReadAsync(connection, projectId, by!, buckets, maxKinds, cancellationToken);
        return await ScanTimeseriesAsync(connection, projectId, bounded, by, buckets, maxKinds, cancellationToken);
    }

    /// <summary>The trends from the matching session rows themselves: every filter, grouping and bucket size.</summary>
    internal static async Task<SessionTimeseries> ScanTimeseriesAsync(
        SqliteConnection connection, long projectId, SessionFilter bounded, SessionGrouping? by, TimeBuckets buckets, int maxKinds, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var (kindColumn, join) = KindJoin(command, by);
        // Only the numbers a trend needs (the cost in its two parts, exact past $9.2M), read through the covering start-time index (migration 040) without a grouping.
        var sql = new StringBuilder($"SELECT s.started_ms, s.cost_pico, s.unpriced_calls, s.turns, s.error_count, {kindColumn}, s.cost_high FROM sessions s {join} WHERE s.project_id = $p");
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, bounded);
        command.CommandText = sql.ToString();
        var builder = new SessionTimeseriesBuilder(buckets);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read())
            {
                var turns = reader.GetInt32(3);
                builder.Add(by is null ? null : reader.GetNullableString(5), reader.GetInt64(0), ExactSum.Join(reader.GetInt64(6), reader.GetInt64(1)),
                    priced: reader.GetInt32(2) < turns, turns, errored: reader.GetInt32(4) > 0);
            }
        }
        return builder.Build(by, maxKinds);
    }

    /// <summary>The kind's column and join on alias g; NULL without a grouping (the whole project is one kind).</summary>
    private static (string Column, string Join) KindJoin(SqliteCommand command, SessionGrouping? by)
    {
        if (by is SessionGrouping.ByMetadata m)
            command.With("$key", m.Key);
        return KindJoin(by);
    }

    /// <summary>The kind's column and join on alias g (a metadata key is the parameter $key).</summary>
    internal static (string Column, string Join) KindJoin(SessionGrouping? by) => by switch
    {
        null => ("NULL", ""),
        SessionGrouping.ByTag => ("g.tag", "LEFT JOIN session_tags g ON g.project_id = s.project_id AND g.session_id = s.session_id"),
        SessionGrouping.ByMetadata => ("g.value", "LEFT JOIN session_metadata g ON g.project_id = s.project_id AND g.session_id = s.session_id AND g.key = $key"),
        SessionGrouping.ByUser => ("s.user_id", ""),
        _ => throw new ArgumentOutOfRangeException(nameof(by)),
    };
}
