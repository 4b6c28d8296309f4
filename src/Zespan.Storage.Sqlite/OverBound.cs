using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Whether a project has a session whose cost passed 2^63 picodollars ($9,223,372.03), stored with a non-zero cost_high
/// (migration 150). The cost bands (140) and the cost index's percentile walk (SessionCostPercentiles) read only each
/// session's cost_pico or clamped cost_sort, so for such a project the fast paths step aside and the figures are read
/// from the session rows, exactly. (The hourly, tag, metadata and user rollups are two-part since migrations 071 and 190,
/// exact on their own; the guard still covers their paths too.) One lookup in the partial index sessions_over_bound,
/// empty for nearly every project.
/// </summary>
internal static class OverBound
{
    public static async Task<bool> AnyAsync(SqliteConnection connection, long projectId, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.Command("SELECT EXISTS (SELECT 1 FROM sessions INDEXED BY sessions_over_bound WHERE project_id = $p AND cost_high <> 0)", transaction);
        command.With("$p", projectId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! != 0;
    }
}
