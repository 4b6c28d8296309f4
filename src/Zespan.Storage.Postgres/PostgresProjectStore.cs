using Npgsql;
using Zespan.Core.Pricing;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>Projects, hashed API keys and per-project prices on PostgreSQL, shared by every server.</summary>
public sealed class PostgresProjectStore(NpgsqlDataSource dataSource, TimeProvider clock) : IProjectStore
{
    public async Task<Project?> FindProjectAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, organization_id, name FROM projects WHERE id = @id").With("id", projectId);
        return (await command.ReadAllAsync(ReadProject, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, organization_id, name FROM projects ORDER BY id");
        return await command.ReadAllAsync(ReadProject, cancellationToken);
    }

    public async Task<Project> CreateProjectAsync(long organizationId, string name, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO projects (organization_id, name, created_ms) VALUES (@org, @name, @now) RETURNING id")
            .With("org", organizationId).With("name", name).With("now", Now());
        return new Project((long)(await command.ExecuteScalarAsync(cancellationToken))!, organizationId, name);
    }

    public async Task<CreatedApiKey> CreateApiKeyAsync(long projectId, string name, string? presetSecret = null, CancellationToken cancellationToken = default)
    {
        var secret = presetSecret ?? ApiKeySecret.Generate();
        if (!ApiKeySecret.LooksValid(secret))
            throw new ArgumentException($"An API key must start with \"{ApiKeySecret.Prefix}\" and be at least {ApiKeySecret.MinLength} printable characters long.", nameof(presetSecret));
        var now = Now();
        await using var command = dataSource.CreateCommand(
            "INSERT INTO api_keys (project_id, name, key_hash, display_prefix, created_ms) VALUES (@p, @name, @hash, @prefix, @now) RETURNING id")
            .With("p", projectId).With("name", name).With("hash", ApiKeySecret.Hash(secret)).With("prefix", ApiKeySecret.DisplayPrefix(secret)).With("now", now);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new CreatedApiKey(new ApiKeyInfo(id, projectId, name, ApiKeySecret.DisplayPrefix(secret), now, null, null), secret);
    }

    public async Task<(long KeyId, long ProjectId)?> FindLiveKeyAsync(byte[] keyHash, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, project_id FROM api_keys WHERE key_hash = @hash AND revoked_ms IS NULL").With("hash", keyHash);
        var rows = await command.ReadAllAsync(r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, project_id, name, display_prefix, created_ms, last_used_ms, revoked_ms FROM api_keys WHERE project_id = @p ORDER BY id").With("p", projectId);
        return await command.ReadAllAsync(r => new ApiKeyInfo(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt64(4),
            r.GetNullableInt64(5), r.GetNullableInt64(6)), cancellationToken);
    }

    public async Task<bool> RevokeApiKeyAsync(long projectId, long keyId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE api_keys SET revoked_ms = coalesce(revoked_ms, @now) WHERE id = @id AND project_id = @p")
            .With("now", Now()).With("id", keyId).With("p", projectId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task TouchApiKeyAsync(long keyId, long usedMs, CancellationToken cancellationToken = default)
    {
        // Only ever moves forward, so servers touching the same key in any order keep the latest time.
        await using var command = dataSource.CreateCommand(
            "UPDATE api_keys SET last_used_ms = @used WHERE id = @id AND (last_used_ms IS NULL OR last_used_ms < @used)")
            .With("used", usedMs).With("id", keyId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ModelPriceTable> GetProjectPricesAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT model, input_per_m, cached_input_per_m, output_per_m, cache_creation_input_per_m FROM project_prices WHERE project_id = @p ORDER BY lower(model)")
            .With("p", projectId);
        return new ModelPriceTable(await command.ReadAllAsync(r => new ModelPrice(r.GetString(0), r.GetDecimal(1),
            r.IsDBNull(2) ? null : r.GetDecimal(2), r.GetDecimal(3), CacheCreationInputPerMillion: r.IsDBNull(4) ? null : r.GetDecimal(4)), cancellationToken));
    }

    public async Task SetProjectPriceAsync(long projectId, ModelPrice price, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO project_prices (project_id, model, input_per_m, cached_input_per_m, output_per_m, cache_creation_input_per_m)
            VALUES (@p, @model, @in, @cached, @out, @written)
            ON CONFLICT (project_id, lower(model)) DO UPDATE SET input_per_m = excluded.input_per_m,
                cached_input_per_m = excluded.cached_input_per_m, output_per_m = excluded.output_per_m,
                cache_creation_input_per_m = excluded.cache_creation_input_per_m
            """)
            .With("p", projectId).With("model", price.Model).With("in", price.InputPerMillion)
            .With("cached", price.CachedInputPerMillion).With("out", price.OutputPerMillion).With("written", price.CacheCreationInputPerMillion);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteProjectPriceAsync(long projectId, string model, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM project_prices WHERE project_id = @p AND lower(model) = lower(@model)")
            .With("p", projectId).With("model", model);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    internal static Project ReadProject(NpgsqlDataReader reader) => new(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2));

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
