using Npgsql;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>Leases in the shared database, judged by its clock (now()), so every server agrees whatever its own clock says.</summary>
public sealed class PostgresLeaseStore(NpgsqlDataSource dataSource) : ILeaseStore
{
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        // One statement: the conflict clause only overwrites a lease that is ours or has run out; row locks make it atomic.
        await using var command = dataSource.CreateCommand("""
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, now() + @duration)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= now()
            """).With("name", name).With("holder", holder).With("duration", duration);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM leases WHERE name = @name AND holder = @holder").With("name", name).With("holder", holder);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<string?> HolderAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT holder FROM leases WHERE name = @name AND expires_at > now()").With("name", name);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
