using Npgsql;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>Organisations and plans on PostgreSQL. Plans are stored by name, as in SQLite, so the column reads clearly.</summary>
public sealed class PostgresOrganizationStore(NpgsqlDataSource dataSource, TimeProvider clock) : IOrganizationStore
{
    public async Task<Organization> CreateAsync(string name, Plan plan, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO organizations (name, plan, created_ms) VALUES (@name, @plan, @now) RETURNING id")
            .With("name", name).With("plan", PlanName(plan)).With("now", clock.GetUtcNow().ToUnixTimeMilliseconds());
        return new Organization((long)(await command.ExecuteScalarAsync(cancellationToken))!, name, plan);
    }

    public async Task<Organization?> FindAsync(long organizationId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, name, plan FROM organizations WHERE id = @id").With("id", organizationId);
        return (await command.ReadAllAsync(Read, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Organization>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, name, plan FROM organizations ORDER BY id");
        return await command.ReadAllAsync(Read, cancellationToken);
    }

    public async Task<bool> SetPlanAsync(long organizationId, Plan plan, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE organizations SET plan = @plan WHERE id = @id").With("plan", PlanName(plan)).With("id", organizationId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static string PlanName(Plan plan) => plan.ToString().ToLowerInvariant();

    private static Organization Read(NpgsqlDataReader reader)
    {
        PlanRetention.TryParse(reader.GetString(2), out var plan);
        return new Organization(reader.GetInt64(0), reader.GetString(1), plan);
    }
}
