using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Organisations and plans in the embedded database. Plans are stored by name so the column reads clearly.</summary>
public sealed class SqliteOrganizationStore(SqliteDatabase database, TimeProvider clock) : IOrganizationStore
{
    public async Task<Organization> CreateAsync(string name, Plan plan, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("INSERT INTO organizations (name, plan, created_ms) VALUES ($name, $plan, $now) RETURNING id")
            .With("$name", name).With("$plan", plan.ToString().ToLowerInvariant()).With("$now", clock.GetUtcNow().ToUnixTimeMilliseconds());
        return new Organization((long)(await command.ExecuteScalarAsync(cancellationToken))!, name, plan);
    }

    public async Task<Organization?> FindAsync(long organizationId, CancellationToken cancellationToken = default) =>
        (await QueryAsync("SELECT id, name, plan FROM organizations WHERE id = $id", organizationId, cancellationToken)).SingleOrDefault();

    public async Task<IReadOnlyList<Organization>> ListAsync(CancellationToken cancellationToken = default) =>
        await QueryAsync("SELECT id, name, plan FROM organizations ORDER BY id", null, cancellationToken);

    public async Task<bool> SetPlanAsync(long organizationId, Plan plan, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE organizations SET plan = $plan WHERE id = $id")
            .With("$plan", plan.ToString().ToLowerInvariant()).With("$id", organizationId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<List<Organization>> QueryAsync(string sql, long? id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(sql);
        if (id is not null)
            command.With("$id", id);
        var organizations = new List<Organization>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            PlanRetention.TryParse(reader.GetString(2), out var plan);
            organizations.Add(new Organization(reader.GetInt64(0), reader.GetString(1), plan));
        }
        return organizations;
    }
}
