using Zespan.Core.Sessions;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Project session settings in the SQLite control plane (migration 081).</summary>
public sealed class SqliteProjectSessionSettingsStore(SqliteDatabase database) : IProjectSessionSettingsStore
{
    public async Task<ProjectSessionSettings> GetAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT idle_gap_ms FROM project_session_settings WHERE project_id = $p").With("$p", projectId);
        return await command.ExecuteScalarAsync(cancellationToken) is long ms ? new ProjectSessionSettings(ms) : ProjectSessionSettings.Default;
    }

    public async Task SetAsync(long projectId, ProjectSessionSettings settings, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            INSERT INTO project_session_settings (project_id, idle_gap_ms) VALUES ($p, $ms)
            ON CONFLICT (project_id) DO UPDATE SET idle_gap_ms = excluded.idle_gap_ms
            """).With("$p", projectId).With("$ms", settings.IdleGapMs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
