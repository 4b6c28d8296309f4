using Zespan.Core;
using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The breakdown by user from all-time per-user totals (migration 045) minus the sessions outside the requested range.
/// Why: for the usual question ("who cost the most this month", a range that holds most of the retained sessions) the
/// sessions outside the range are few, so this reads the totals of a few users instead of one index entry per session.
/// The totals are read from their index in the breakdown's order (migration 370) and the walk stops after the top
/// `limit` users, so 20 rows of 200 k users read about 20 totals, not 200 k.
/// Returns null when the range is narrow (more sessions outside it than inside) or the filter has other conditions:
/// grouping the range's own sessions is then the cheaper exact answer.
/// </summary>
internal static class UserBreakdown
{
    /// <summary>All-time totals per user, corrected by the sessions outside a start range: time is the only dimension held.</summary>
    public const SessionDimensions Supported = SessionDimensions.Time;

    private const string TotalsColumns = "has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens, unpriced_sessions";

    public static async Task<IReadOnlyList<SessionGroupCost>?> TryReadAsync(SqliteConnection connection, long projectId, SessionFilter filter, long projectSessions, int limit, CancellationToken cancellationToken)
    {
        if (!Supported.Supports(filter))
            return null;
        var inRange = filter.FromMs is null && filter.ToMs is null ? projectSessions : await CountInRangeAsync(connection, projectId, filter, cancellationToken);
        if (projectSessions - inRange > inRange)
            return null;

        // One read transaction, so the sessions outside the range and the totals they correct come from the same snapshot
        // even while the writer commits.
        using var snapshot = connection.BeginTransaction(deferred: true);
        // The sums of the sessions outside the range per user first (few for a wide range).
        var outside = new Dictionary<UserKey, GroupSums>();
        if (filter.FromMs is { } from)
            await AddOutsideAsync(snapshot, projectId, "s.started_ms < $bound", from, outside, cancellationToken);
        if (filter.ToMs is { } to)
            await AddOutsideAsync(snapshot, projectId, "s.started_ms >= $bound", to, outside, cancellationToken);

        // A negative limit asks for every user: all totals, streamed. Otherwise the index walk offers the candidates.
        var groups = BreakdownOrder.Top(limit < 0 ? EveryUser(snapshot, projectId, outside) : CostOrderedCandidates(snapshot, projectId, outside, limit), limit);
        snapshot.Commit();
        return groups;
    }

    /// <summary>
    /// A superset of the top <paramref name="limit"/> users in range, each with its in-range sums. The index walk reads the
    /// totals in the breakdown's own order (BreakdownOrder: cost unknown last, cost descending, then no user, then user id
    /// in code point order, which is SQLite's BINARY order). A user without sessions outside the range has its all-time
    /// totals in range, so the first <paramref name="limit"/> such users sort before every such user after them, and the
    /// walk stops there. A user with sessions outside the range can lose any part of its total, so each is corrected and
    /// offered wherever the walk stops (read by its key if the walk did not reach it).
    /// </summary>
    private static IEnumerable<SessionGroupCost> CostOrderedCandidates(SqliteTransaction snapshot, long projectId, Dictionary<UserKey, GroupSums> outside, int limit)
    {
        using (var walk = snapshot.Connection!.Command(
            $"SELECT {TotalsColumns} FROM user_session_totals INDEXED BY user_totals_by_cost WHERE project_id = $p AND sessions <> 0 ORDER BY unpriced_sessions = sessions, cost_high DESC, cost_low DESC, has_user, user_id",
            snapshot))
        {
            walk.With("$p", projectId);
            using var reader = walk.ExecuteReader();
            var inOrder = 0;
            while (inOrder < limit && reader.Read())
            {
                var (key, totals) = ReadTotals(reader, 0);
                if (outside.Remove(key, out var minus))
                {
                    if (InRange(key, totals.Minus(minus)) is { } corrected)
                        yield return corrected;
                    continue;
                }
                yield return InRange(key, totals)!;
                inOrder++;
            }
        }
        if (outside.Count == 0)
            yield break;
        using var byKey = snapshot.Connection!.Command(
            $"SELECT {TotalsColumns} FROM user_session_totals WHERE project_id = $p AND has_user = $hasUser AND user_id = $user", snapshot);
        byKey.With("$p", projectId).With("$hasUser", 0).With("$user", "");
        foreach (var (key, minus) in outside)
        {
            byKey.Set("$hasUser", key.HasUser ? 1 : 0);
            byKey.Set("$user", key.User);
            using var reader = byKey.ExecuteReader();
            // Every session is in the totals, so every user with sessions outside the range has a row.
            if (!reader.Read())
                throw new InvalidOperationException("The per-user totals miss a user that has sessions outside the range.");
            if (InRange(key, ReadTotals(reader, 0).Totals.Minus(minus)) is { } corrected)
                yield return corrected;
        }
    }

    /// <summary>Each user's all-time totals minus its sessions outside the range; users with none left are skipped.</summary>
    private static IEnumerable<SessionGroupCost> EveryUser(SqliteTransaction snapshot, long projectId, Dictionary<UserKey, GroupSums> outside)
    {
        using var totals = snapshot.Connection!.Command($"SELECT {TotalsColumns} FROM user_session_totals WHERE project_id = $p AND sessions <> 0", snapshot);
        totals.With("$p", projectId);
        using var reader = totals.ExecuteReader();
        while (reader.Read())
        {
            var (key, sums) = ReadTotals(reader, 0);
            if (outside.Remove(key, out var minus))
                sums = sums.Minus(minus);
            if (InRange(key, sums) is { } group)
                yield return group;
        }
        // Every session is in the totals, so every user with sessions outside the range was met above.
        if (outside.Count != 0)
            throw new InvalidOperationException($"The per-user totals miss {outside.Count} user(s) that have sessions outside the range.");
    }

    /// <summary>
    /// The sessions started in the range, which choose the path (no figure is read from them): whole hours from
    /// sessions_hourly (migration 050: one row per hour, 720 for a month), the partial hours at either end counted from
    /// the sessions. Not SessionRollup's totals: session_rollup_hourly splits each hour by error state and turns (63,688
    /// rows for a month of 1 M sessions), ~22 ms of CPU to sum, more than the walk itself.
    /// </summary>
    private static async Task<long> CountInRangeAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        var range = HourRange.Split(filter.FromMs, filter.ToMs);
        var count = 0L;
        if (range.HasWholeHours)
        {
            await using var hours = connection.CreateCommand();
            var sql = new StringBuilder("SELECT coalesce(SUM(sessions), 0) FROM sessions_hourly WHERE project_id = $p");
            hours.With("$p", projectId);
            HourConditions.Append(sql, hours, range.WholeFromMs, range.WholeToMs);
            hours.CommandText = sql.ToString();
            count += (long)(await hours.ExecuteScalarAsync(cancellationToken))!;
        }
        foreach (var (from, to) in range.Edges)
        {
            await using var edge = connection.CreateCommand();
            var sql = new StringBuilder("SELECT COUNT(*) FROM sessions s WHERE s.project_id = $p");
            edge.With("$p", projectId);
            SessionSql.AppendFilter(sql, edge, new SessionFilter { FromMs = from, ToMs = to });
            edge.CommandText = sql.ToString();
            count += (long)(await edge.ExecuteScalarAsync(cancellationToken))!;
        }
        return count;
    }

    private static (UserKey Key, GroupSums Totals) ReadTotals(SqliteDataReader reader, int first) =>
        (new UserKey(reader.GetInt64(first) == 1, reader.GetString(first + 1)),
         new GroupSums(reader.GetInt64(first + 2), ExactSum.Read(reader, first + 3), reader.GetInt64(first + 5), reader.GetInt64(first + 6), reader.GetInt64(first + 7)));

    private static SessionGroupCost? InRange(UserKey key, GroupSums sums) =>
        sums.Sessions == 0 ? null : new SessionGroupCost(key.HasUser ? key.User : null, sums.Sessions, sums.Cost, sums.Turns, sums.Tokens, sums.Unpriced);

    private static async Task AddOutsideAsync(SqliteTransaction snapshot, long projectId, string outside, long bound, Dictionary<UserKey, GroupSums> sums, CancellationToken cancellationToken)
    {
        // cost_pico alone, as the covering sessions_by_started holds it: the caller steps aside for a project with a
        // session past 2^63 picodollars (OverBound), so every cost_high here is 0.
        await using var command = snapshot.Connection!.Command(
            $"SELECT s.user_id, COUNT(*), {ExactSum.Of("s.cost_pico")}, SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown) FROM sessions s INDEXED BY sessions_by_started WHERE s.project_id = $p AND {outside} GROUP BY s.user_id",
            snapshot);
        command.With("$p", projectId).With("$bound", bound);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            var key = reader.IsDBNull(0) ? new UserKey(false, "") : new UserKey(true, reader.GetString(0));
            var user = new GroupSums(reader.GetInt64(1), ExactSum.Read(reader, 2), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
            sums[key] = sums.TryGetValue(key, out var before) ? before.Plus(user) : user;
        }
    }

    /// <summary>A row of user_session_totals: has_user separates "no user" from a user whose id is the empty string.</summary>
    private readonly record struct UserKey(bool HasUser, string User);
}
