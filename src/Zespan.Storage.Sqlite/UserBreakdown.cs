using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The breakdown by user from all-time per-user totals (migration 045) minus the sessions outside the requested range.
/// Why: for the usual question ("who cost the most this month", a range that holds most of the retained sessions) the
/// sessions outside the range are few, so this reads one row per user instead of one index entry per session.
/// Returns null when the range is narrow (more sessions outside it than inside) or the filter has other conditions:
/// grouping the range's own sessions is then the cheaper exact answer.
/// </summary>
internal static class UserBreakdown
{
    /// <summary>All-time totals per user, corrected by the sessions outside a start range: time is the only dimension held.</summary>
    public const SessionDimensions Supported = SessionDimensions.Time;

    public static async Task<IReadOnlyList<SessionGroupCost>?> TryReadAsync(SqliteConnection connection, long projectId, SessionFilter filter, long projectSessions, int limit, CancellationToken cancellationToken)
    {
        if (!Supported.Supports(filter))
            return null;
        var inRange = filter.FromMs is null && filter.ToMs is null
            ? projectSessions
            : (await SessionRollup.ReadTotalsAsync(connection, projectId, filter, cancellationToken)).Sessions;
        if (projectSessions - inRange > inRange)
            return null;

        // The sums of the sessions outside the range per user first (few for a wide range), then the all-time totals
        // streamed past them into the top groups: no per-user state for the 200 k users of a large project.
        // Sessions, cost, turns, tokens, unpriced sessions (migration 074): Int128 so that the all-time cost (in two parts,
        // migration 071) sums exactly.
        var outside = new Dictionary<(bool HasUser, string User), Int128[]>();
        if (filter.FromMs is { } from)
            await AddOutsideAsync(connection, projectId, "s.started_ms < $bound", from, outside, cancellationToken);
        if (filter.ToMs is { } to)
            await AddOutsideAsync(connection, projectId, "s.started_ms >= $bound", to, outside, cancellationToken);

        await using var totals = connection.Command(
            "SELECT has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens, unpriced_sessions FROM user_session_totals WHERE project_id = $p AND sessions <> 0");
        totals.With("$p", projectId);
        await using var reader = await totals.ExecuteReaderAsync(cancellationToken);
        return BreakdownOrder.Top(InRange(reader, outside), limit);
    }

    /// <summary>Each user's all-time totals minus its sessions outside the range; users with none left are skipped.</summary>
    private static IEnumerable<SessionGroupCost> InRange(SqliteDataReader reader, Dictionary<(bool HasUser, string User), Int128[]> outside)
    {
        while (reader.Read())
        {
            var key = (reader.GetInt64(0) == 1, reader.GetString(1));
            var (sessions, cost, turns, tokens, unpriced) = ((Int128)reader.GetInt64(2), ExactSum.Read(reader, 3), (Int128)reader.GetInt64(5), (Int128)reader.GetInt64(6), (Int128)reader.GetInt64(7));
            if (outside.Remove(key, out var minus))
                (sessions, cost, turns, tokens, unpriced) = (sessions - minus[0], cost - minus[1], turns - minus[2], tokens - minus[3], unpriced - minus[4]);
            if (sessions != 0)
                yield return new SessionGroupCost(key.Item1 ? key.Item2 : null, (long)sessions, cost, (long)turns, (long)tokens, (long)unpriced);
        }
        // Every session is in the totals, so every user with sessions outside the range was met above.
        if (outside.Count != 0)
            throw new InvalidOperationException($"The per-user totals miss {outside.Count} user(s) that have sessions outside the range.");
    }

    private static async Task AddOutsideAsync(SqliteConnection connection, long projectId, string outside, long bound, Dictionary<(bool, string), Int128[]> sums, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT s.user_id, COUNT(*), SUM(s.turns), SUM(s.total_tokens), {ExactSum.Of("s.cost_pico")}, SUM(s.cost_unknown) FROM sessions s INDEXED BY sessions_by_started WHERE s.project_id = $p AND {outside} GROUP BY s.user_id");
        command.With("$p", projectId).With("$bound", bound);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            var key = reader.IsDBNull(0) ? (false, "") : (true, reader.GetString(0));
            if (!sums.TryGetValue(key, out var user))
                sums[key] = user = new Int128[5];
            user[0] += reader.GetInt64(1);
            user[1] += ExactSum.Read(reader, 4);
            user[2] += reader.GetInt64(2);
            user[3] += reader.GetInt64(3);
            user[4] += reader.GetInt64(6);
        }
    }
}
