using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Leases in the embedded file: every process on this file (a server, a second server on the same folder) agrees on them.</summary>
public sealed class SqliteLeaseStore(SqliteDatabase database, TimeProvider clock) : ILeaseStore
{
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        // One statement: the conflict clause only overwrites a lease that is ours or has run out, atomically.
        await using var command = connection.Command("""
            INSERT INTO leases (name, holder, expires_ms) VALUES ($name, $holder, $until)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms
            WHERE leases.holder = excluded.holder OR leases.expires_ms <= $now
            """).With("$name", name).With("$holder", holder).With("$until", now + (long)duration.TotalMilliseconds).With("$now", now);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM leases WHERE name = $name AND holder = $holder").With("$name", name).With("$holder", holder);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<string?> HolderAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT holder FROM leases WHERE name = $name AND expires_ms > $now")
            .With("$name", name).With("$now", clock.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
