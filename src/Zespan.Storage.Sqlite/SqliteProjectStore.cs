using System.Globalization;
using Zespan.Core.Pricing;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Projects, hashed API keys and per-project prices in the embedded database.</summary>
public sealed class SqliteProjectStore(SqliteDatabase database, TimeProvider clock) : IProjectStore
{
    public async Task<Project?> FindProjectAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, organization_id, name FROM projects WHERE id = $id").With("$id", projectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new Project(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)) : null;
    }

    public async Task<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, organization_id, name FROM projects ORDER BY id");
        var projects = new List<Project>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            projects.Add(new Project(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
        return projects;
    }

    public async Task<Project> CreateProjectAsync(long organizationId, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("INSERT INTO projects (organization_id, name, created_ms) VALUES ($org, $name, $now) RETURNING id")
            .With("$org", organizationId).With("$name", name).With("$now", Now());
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new Project(id, organizationId, name);
    }

    public async Task<CreatedApiKey> CreateApiKeyAsync(long projectId, string name, string? presetSecret = null, CancellationToken cancellationToken = default)
    {
        var secret = presetSecret ?? ApiKeySecret.Generate();
        if (!ApiKeySecret.LooksValid(secret))
            throw new ArgumentException($"An API key must start with \"{ApiKeySecret.Prefix}\" and be at least {ApiKeySecret.MinLength} printable characters long.", nameof(presetSecret));
        var now = Now();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "INSERT INTO api_keys (project_id, name, key_hash, display_prefix, created_ms) VALUES ($p, $name, $hash, $prefix, $now) RETURNING id")
            .With("$p", projectId).With("$name", name).With("$hash", ApiKeySecret.Hash(secret)).With("$prefix", ApiKeySecret.DisplayPrefix(secret)).With("$now", now);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new CreatedApiKey(new ApiKeyInfo(id, projectId, name, ApiKeySecret.DisplayPrefix(secret), now, null, null), secret);
    }

    public async Task<(long KeyId, long ProjectId)?> FindLiveKeyAsync(byte[] keyHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, project_id FROM api_keys WHERE key_hash = $hash AND revoked_ms IS NULL").With("$hash", keyHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT id, project_id, name, display_prefix, created_ms, last_used_ms, revoked_ms FROM api_keys WHERE project_id = $p ORDER BY id").With("$p", projectId);
        var keys = new List<ApiKeyInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(new ApiKeyInfo(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetNullableInt64(5), reader.GetNullableInt64(6)));
        return keys;
    }

    public async Task<bool> RevokeApiKeyAsync(long projectId, long keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE api_keys SET revoked_ms = coalesce(revoked_ms, $now) WHERE id = $id AND project_id = $p")
            .With("$now", Now()).With("$id", keyId).With("$p", projectId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task TouchApiKeyAsync(long keyId, long usedMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE api_keys SET last_used_ms = max(coalesce(last_used_ms, 0), $used) WHERE id = $id")
            .With("$used", usedMs).With("$id", keyId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ModelPriceTable> GetProjectPricesAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT model, input_per_m, cached_input_per_m, output_per_m, cache_creation_input_per_m FROM project_prices WHERE project_id = $p ORDER BY model")
            .With("$p", projectId);
        var prices = new List<ModelPrice>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            prices.Add(new ModelPrice(reader.GetString(0), Decimal(reader.GetString(1)),
                reader.IsDBNull(2) ? null : Decimal(reader.GetString(2)), Decimal(reader.GetString(3)),
                CacheCreationInputPerMillion: reader.IsDBNull(4) ? null : Decimal(reader.GetString(4))));
        }
        return new ModelPriceTable(prices);
    }

    public async Task SetProjectPriceAsync(long projectId, ModelPrice price, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            INSERT INTO project_prices (project_id, model, input_per_m, cached_input_per_m, output_per_m, cache_creation_input_per_m)
            VALUES ($p, $model, $in, $cached, $out, $written)
            ON CONFLICT (project_id, model) DO UPDATE SET input_per_m = excluded.input_per_m, cached_input_per_m = excluded.cached_input_per_m,
                output_per_m = excluded.output_per_m, cache_creation_input_per_m = excluded.cache_creation_input_per_m
            """)
            .With("$p", projectId).With("$model", price.Model).With("$in", Text(price.InputPerMillion))
            .With("$cached", price.CachedInputPerMillion is { } c ? Text(c) : null).With("$out", Text(price.OutputPerMillion))
            .With("$written", price.CacheCreationInputPerMillion is { } w ? Text(w) : null);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteProjectPriceAsync(long projectId, string model, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM project_prices WHERE project_id = $p AND model = $model").With("$p", projectId).With("$model", model);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal Decimal(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
}
