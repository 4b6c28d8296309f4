using Zespan.Core;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The breakdown by tag or metadata value read from the hourly rollups of migration 050 for the whole UTC hours inside
/// the window, plus the exact join over the partial hours at either end, merged here. Why: the join probes the tags or
/// metadata of every session in the window (4.4 s at 509 k sessions); a 30-day window holds only 720 hours of rollup rows.
/// The result equals the join's: same groups, sums, NULL group, order (cost descending, then value as SQLite orders it)
/// and limit.
/// </summary>
internal static class RollupBreakdown
{
    /// <summary>The rollups hold every session by start hour only, so they answer a time window and nothing else.</summary>
    public const SessionDimensions Supported = SessionDimensions.Time;

    public static bool Applies(SessionGrouping grouping, SessionFilter filter) =>
        (grouping is SessionGrouping.ByTag or SessionGrouping.ByMetadata) && Supported.Supports(filter);

    public static async Task<IReadOnlyList<SessionGroupCost>> QueryAsync(
        SqliteConnection connection, long projectId, SessionGrouping grouping, SessionFilter filter, int limit, CancellationToken cancellationToken)
    {
        var range = HourRange.Split(filter.FromMs, filter.ToMs);
        if (!range.HasWholeHours)
        {
            // No whole hour inside: the window is under two hours, few sessions, the join answers it directly.
            return await SqliteSessionReader.JoinBreakdownAsync(connection, projectId, grouping, filter, limit, cancellationToken);
        }

        // One read transaction, so the rollup and the partial hours come from the same snapshot even while spans are written.
        using var snapshot = connection.BeginTransaction(deferred: true);
        var groups = new Dictionary<string, Sums>(StringComparer.Ordinal);
        var withoutValue = await ReadRollupAsync(
            snapshot, projectId, grouping, range.WholeFromMs ?? long.MinValue, range.WholeToMs ?? long.MaxValue, groups, cancellationToken);
        foreach (var (edgeFrom, edgeTo) in range.Edges)
        {
            Add(groups, ref withoutValue, await SqliteSessionReader.JoinBreakdownAsync(
                connection, projectId, grouping, new SessionFilter { FromMs = edgeFrom, ToMs = edgeTo }, limit: null, cancellationToken, snapshot));
        }
        snapshot.Commit();

        var all = groups.Select(g => new SessionGroupCost(g.Key, g.Value.Sessions, g.Value.CostPico, g.Value.Turns, g.Value.TotalTokens, g.Value.Unpriced));
        if (withoutValue.Sessions > 0)
            all = all.Append(new SessionGroupCost(null, withoutValue.Sessions, withoutValue.CostPico, withoutValue.Turns, withoutValue.TotalTokens, withoutValue.Unpriced));
        return BreakdownOrder.Top(all.Where(g => g.Sessions > 0), limit);
    }

    /// <summary>Adds each value's rollup sums over [fromHour, toHour) to groups; returns the sums of the sessions without any value.</summary>
    private static async Task<Sums> ReadRollupAsync(
        SqliteTransaction snapshot, long projectId, SessionGrouping grouping, long fromHour, long toHour, Dictionary<string, Sums> groups, CancellationToken cancellationToken)
    {
        var (valuesSql, withValueSql) = grouping switch
        {
            SessionGrouping.ByMetadata => (
                $"SELECT value, {SumsColumns} FROM session_metadata_hourly WHERE project_id = $p AND key = $key AND hour >= $from AND hour < $to GROUP BY value",
                $"SELECT {SumsColumns} FROM session_metadata_keys_hourly WHERE project_id = $p AND key = $key AND hour >= $from AND hour < $to"),
            SessionGrouping.ByTag => (
                $"SELECT tag, {SumsColumns} FROM session_tags_hourly WHERE project_id = $p AND hour >= $from AND hour < $to GROUP BY tag",
                $"SELECT {SumsColumns} FROM session_tagged_hourly WHERE project_id = $p AND hour >= $from AND hour < $to"),
            _ => throw new ArgumentOutOfRangeException(nameof(grouping)),
        };
        var key = (grouping as SessionGrouping.ByMetadata)?.Key;

        await using (var values = Bound(snapshot.Connection!.Command(valuesSql, snapshot), projectId, key, fromHour, toHour))
        await using (var reader = await values.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                groups[reader.GetString(0)] = ReadSums(reader, 1);
        }
        var all = await ReadSumsAsync(Bound(snapshot.Connection!.Command(
            $"SELECT {SumsColumns} FROM sessions_hourly WHERE project_id = $p AND hour >= $from AND hour < $to", snapshot),
            projectId, null, fromHour, toHour), cancellationToken);
        var withValue = await ReadSumsAsync(Bound(snapshot.Connection!.Command(withValueSql, snapshot), projectId, key, fromHour, toHour), cancellationToken);
        return all - withValue;
    }

    // Sessions, turns, tokens, the cost as the two parts of ExactSum, then the unpriced sessions (migration 074).
    private static readonly string SumsColumns =
        $"coalesce(SUM(sessions), 0), coalesce(SUM(turns), 0), coalesce(SUM(total_tokens), 0), {ExactSum.OfRow("")}, coalesce(SUM(unpriced_sessions), 0)";

    private static Sums ReadSums(SqliteDataReader reader, int first) =>
        new(reader.GetInt64(first), ExactSum.Read(reader, first + 3), reader.GetInt64(first + 1), reader.GetInt64(first + 2), reader.GetInt64(first + 5));

    private static SqliteCommand Bound(SqliteCommand command, long projectId, string? key, long fromHour, long toHour)
    {
        command.With("$p", projectId).With("$from", fromHour).With("$to", toHour);
        if (key is not null)
            command.With("$key", key);
        return command;
    }

    private static async Task<Sums> ReadSumsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return ReadSums(reader, 0);
        }
    }

    private static void Add(Dictionary<string, Sums> groups, ref Sums withoutValue, List<SessionGroupCost> joined)
    {
        foreach (var g in joined)
        {
            var sums = new Sums(g.Sessions, g.TotalCostPico, g.Turns, g.TotalTokens, g.UnpricedSessions);
            if (g.Group is null)
                withoutValue += sums;
            else
                groups[g.Group] = groups.TryGetValue(g.Group, out var before) ? before + sums : sums;
        }
    }

    private readonly record struct Sums(long Sessions, Int128 CostPico, long Turns, long TotalTokens, long Unpriced)
    {
        public static Sums operator +(Sums a, Sums b) =>
            new(a.Sessions + b.Sessions, a.CostPico + b.CostPico, a.Turns + b.Turns, a.TotalTokens + b.TotalTokens, a.Unpriced + b.Unpriced);
        public static Sums operator -(Sums a, Sums b) =>
            new(a.Sessions - b.Sessions, a.CostPico - b.CostPico, a.Turns - b.Turns, a.TotalTokens - b.TotalTokens, a.Unpriced - b.Unpriced);
    }
}
