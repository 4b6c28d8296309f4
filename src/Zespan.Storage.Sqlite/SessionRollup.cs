using Zespan.Core;
using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>Counts and sums over the sessions matching a filter (see session_rollup_hourly in migration 040).</summary>
internal readonly record struct SessionTotals(long Sessions, long PricedSessions, Int128 CostPico, long UnpricedCalls, long Turns, long SessionsWithErrors)
{
    public static SessionTotals operator +(SessionTotals a, SessionTotals b) => new(
        a.Sessions + b.Sessions, a.PricedSessions + b.PricedSessions, a.CostPico + b.CostPico,
        a.UnpricedCalls + b.UnpricedCalls, a.Turns + b.Turns, a.SessionsWithErrors + b.SessionsWithErrors);
}

/// <summary>
/// Exact totals for a filter without a user: whole UTC hours from the hourly rollup (a few thousand rows for a month),
/// the partial hours at either end from the covering sessions_by_started index. Equal to aggregating the matching
/// session rows (tests check this), at a cost that does not grow with the number of sessions.
/// </summary>
internal static class SessionRollup
{
    /// <summary>
    /// The rollup is keyed by start hour, error state and turn count: it holds these dimensions and no other (not the user,
    /// the active time or the name, which only the session rows have).
    /// </summary>
    public const SessionDimensions Supported = SessionDimensions.Time | SessionDimensions.Status | SessionDimensions.MinTurns | SessionDimensions.MaxTurns;

    public static bool Covers(SessionFilter filter) => Supported.Supports(filter);

    public static async Task<SessionTotals> ReadTotalsAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        if (!Covers(filter))
            throw new ArgumentException($"The rollup holds only {Supported}; filter by {filter.ActiveDimensions & ~Supported} on the sessions themselves.", nameof(filter));
        var range = HourRange.Split(filter.FromMs, filter.ToMs);
        var totals = default(SessionTotals);
        if (range.HasWholeHours)
            totals += await FromRollupAsync(connection, projectId, filter, range.WholeFromMs, range.WholeToMs, cancellationToken);
        foreach (var (from, to) in range.Edges)
            totals += await FromSessionsAsync(connection, projectId, filter with { FromMs = from, ToMs = to }, cancellationToken);
        return totals;
    }

    private static async Task<SessionTotals> FromRollupAsync(SqliteConnection connection, long projectId, SessionFilter filter, long? fromHour, long? toHour, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"""
            SELECT coalesce(SUM(sessions), 0), coalesce(SUM(priced_sessions), 0), coalesce(SUM(unpriced_calls), 0),
                   coalesce(SUM(turns * sessions), 0), coalesce(SUM(errored * sessions), 0), {ExactSum.OfRow("")}
            FROM session_rollup_hourly WHERE project_id = $p
            """);
        command.With("$p", projectId);
        HourConditions.Append(sql, command, fromHour, toHour);
        if (filter.Status != SessionStatusFilter.Any)
            sql.Append(filter.Status == SessionStatusFilter.Error ? " AND errored = 1" : " AND errored = 0");
        if (filter.MinTurns is { } minTurns)
        {
            sql.Append(" AND turns >= $minTurns");
            command.With("$minTurns", minTurns);
        }
        if (filter.MaxTurns is { } maxTurns)
        {
            sql.Append(" AND turns <= $maxTurns");
            command.With("$maxTurns", maxTurns);
        }
        command.CommandText = sql.ToString();
        return await ReadOneAsync(command, cancellationToken);
    }

    private static async Task<SessionTotals> FromSessionsAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder(SessionTotalsSql);
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, filter);
        command.CommandText = sql.ToString();
        return await ReadOneAsync(command, cancellationToken);
    }

    /// <summary>The totals of the session rows matching a WHERE clause on alias s (append the filter); read with ReadOneAsync.</summary>
    public static readonly string SessionTotalsSql = $"""
        SELECT COUNT(*), coalesce(SUM(s.unpriced_calls < s.turns), 0), coalesce(SUM(s.unpriced_calls), 0),
               coalesce(SUM(s.turns), 0), coalesce(SUM(s.error_count > 0), 0), {ExactSum.OfRow("s.")}
        FROM sessions s WHERE s.project_id = $p
        """;

    public static async Task<SessionTotals> ReadOneAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        reader.Read();
        return new SessionTotals(reader.GetInt64(0), reader.GetInt64(1), ExactSum.Read(reader, 5), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }
}
