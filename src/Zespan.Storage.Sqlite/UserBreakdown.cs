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
    public static async Task<IReadOnlyList<SessionGroupCost>?> TryReadAsync(SqliteConnection connection, long projectId, SessionFilter filter, long projectSessions, int limit, CancellationToken cancellationToken)
    {
        if (filter.UserId is not null || filter.Status != SessionStatusFilter.Any || filter.MinTurns is not null || filter.NeedsSessionRows)
            return null;
        var inRange = filter.FromMs is null && filter.ToMs is null
            ? projectSessions
            : (await SessionRollup.ReadTotalsAsync(connection, projectId, filter, cancellationToken)).Sessions;
        if (projectSessions - inRange > inRange)
            return null;

        // Sessions, cost, turns, tokens, unpriced sessions (migration 074): Int128 so that the all-time cost (in two parts,
        // migration 071) sums exactly.
        var groups = new Dictionary<(bool HasUser, string User), Int128[]>();
        await using (var totals = connection.Command(
            "SELECT has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens, unpriced_sessions FROM user_session_totals WHERE project_id = $p AND sessions <> 0"))
        {
            totals.With("$p", projectId);
            await using var reader = await totals.ExecuteReaderAsync(cancellationToken);
            while (reader.Read())
                groups[(reader.GetInt64(0) == 1, reader.GetString(1))] = [reader.GetInt64(2), ExactSum.Read(reader, 3), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)];
        }
        if (filter.FromMs is { } from)
            await SubtractAsync(connection, projectId, "s.started_ms < $bound", from, groups, cancellationToken);
        if (filter.ToMs is { } to)
            await SubtractAsync(connection, projectId, "s.started_ms >= $bound", to, groups, cancellationToken);

        return BreakdownOrder.Top(groups
            .Where(g => g.Value[0] != 0)
            .Select(g => new SessionGroupCost(g.Key.HasUser ? g.Key.User : null, (long)g.Value[0], g.Value[1], (long)g.Value[2], (long)g.Value[3], (long)g.Value[4])), limit);
    }

    private static async Task SubtractAsync(SqliteConnection connection, long projectId, string outside, long bound, Dictionary<(bool, string), Int128[]> groups, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT s.user_id, COUNT(*), SUM(s.turns), SUM(s.total_tokens), {ExactSum.Of("s.cost_pico")}, SUM(s.cost_unknown) FROM sessions s INDEXED BY sessions_by_started WHERE s.project_id = $p AND {outside} GROUP BY s.user_id");
        command.With("$p", projectId).With("$bound", bound);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            var key = reader.IsDBNull(0) ? (false, "") : (true, reader.GetString(0));
            var sums = groups[key]; // every session is in the totals, so its user is too
            sums[0] -= reader.GetInt64(1);
            sums[1] -= ExactSum.Read(reader, 4);
            sums[2] -= reader.GetInt64(2);
            sums[3] -= reader.GetInt64(3);
            sums[4] -= reader.GetInt64(6);
        }
    }
}

