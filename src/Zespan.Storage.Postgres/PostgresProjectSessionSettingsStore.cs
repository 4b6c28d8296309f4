using Npgsql;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>Project session settings in the PostgreSQL control plane (migration 010), shared by every server.</summary>
public sealed class PostgresProjectSessionSettingsStore(NpgsqlDataSource dataSource) : IProjectSessionSettingsStore
{
    public async Task<ProjectSessionSettings> GetAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT idle_gap_ms FROM project_session_settings WHERE project_id = @p").With("p", projectId);
        return await command.ExecuteScalarAsync(cancellationToken) is long ms ? new ProjectSessionSettings(ms) : ProjectSessionSettings.Default;
    }

    public async Task SetAsync(long projectId, ProjectSessionSettings settings, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO project_session_settings (project_id, idle_gap_ms) VALUES (@p, @ms)
            ON CONFLICT (project_id) DO UPDATE SET idle_gap_ms = excluded.idle_gap_ms
            """).With("p", projectId).With("ms", settings.IdleGapMs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
