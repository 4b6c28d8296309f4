using Npgsql;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>
/// Applies the numbered Migrations/*.sql files embedded in this assembly, each once, each in its own transaction,
/// under a session advisory lock: servers that start together wait for each other, and the second finds nothing to do.
/// </summary>
public sealed class PostgresMigrator(NpgsqlDataSource dataSource) : IStorageInitializer
{
    /// <summary>The advisory lock key of Zespan's start-up work (any fixed 64-bit number unlikely to clash; "zespan01" in ASCII).</summary>
    public const long StartupLockKey = 0x7A657370616E3031;

    private const string ResourcePrefix = "Zespan.Storage.Postgres.Migrations.";

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var startupLock = await AdvisoryLock.AcquireAsync(dataSource, StartupLockKey, cancellationToken);
        await ApplyAsync(startupLock.Connection, cancellationToken);
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", connection))
            await create.ExecuteNonQueryAsync(cancellationToken);
        var applied = new HashSet<int>();
        await using (var query = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            applied.UnionWith(await query.ReadAllAsync(r => r.GetInt32(0), cancellationToken));

        foreach (var (version, name) in Migrations())
        {
            if (applied.Contains(version))
                continue;
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var migrate = new NpgsqlCommand(await ReadResourceAsync(name), connection, transaction))
                await migrate.ExecuteNonQueryAsync(cancellationToken);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@v, @n)", connection, transaction)
                .With("v", version).With("n", name))
                await record.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static IEnumerable<(int Version, string Name)> Migrations() =>
        typeof(PostgresMigrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Select(n => (Version: int.Parse(n[..n.IndexOf('_')]), Name: n))
            .OrderBy(m => m.Version);

    private static async Task<string> ReadResourceAsync(string name)
    {
        await using var stream = typeof(PostgresMigrator).Assembly.GetManifestResourceStream(ResourcePrefix + name)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
