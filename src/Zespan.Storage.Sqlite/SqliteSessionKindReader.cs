using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Sessions with their kind of conversation, and session-grain trends, read from the sessions table the list reads
/// (with its filters, <see cref="SessionSql.AppendFilter"/>) joined to the session tags or metadata values.
/// </summary>
public sealed class SqliteSessionKindReader(SqliteDatabase database) : ISessionKindReader
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
        await using var command = connection.CreateCommand();
        var (kindColumn, join) = KindJoin(command, by);
        // Only the five numbers a trend needs, read through the covering start-time index (migration 040) without a grouping.
        var sql = new StringBuilder($"SELECT s.started_ms, s.cost_sort, s.unpriced_calls, s.turns, s.error_count, {kindColumn} FROM sessions s {join} WHERE s.project_id = $p");
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, bounded);
        command.CommandText = sql.ToString();
        var builder = new SessionTimeseriesBuilder(buckets);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read())
            {
                var turns = reader.GetInt32(3);
                builder.Add(by is null ? null : reader.GetNullableString(5), reader.GetInt64(0), reader.GetInt64(1),
                    priced: reader.GetInt32(2) < turns, turns, errored: reader.GetInt32(4) > 0);
            }
        }
        return builder.Build(by, maxKinds);
    }

    /// <summary>The kind's column and join on alias g; NULL without a grouping (the whole project is one kind).</summary>
    private static (string Column, string Join) KindJoin(SqliteCommand command, SessionGrouping? by)
    {
        switch (by)
        {
            case null:
                return ("NULL", "");
            case SessionGrouping.ByTag:
                return ("g.tag", "LEFT JOIN session_tags g ON g.project_id = s.project_id AND g.session_id = s.session_id");
            case SessionGrouping.ByMetadata m:
                command.With("$key", m.Key);
                return ("g.value", "LEFT JOIN session_metadata g ON g.project_id = s.project_id AND g.session_id = s.session_id AND g.key = $key");
            case SessionGrouping.ByUser:
                return ("s.user_id", "");
            default:
                throw new ArgumentOutOfRangeException(nameof(by));
        }
    }
}
