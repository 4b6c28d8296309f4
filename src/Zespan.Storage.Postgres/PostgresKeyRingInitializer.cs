using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>
/// Makes sure the shared key ring holds an active key before the server serves a login, under the start-up advisory lock.
/// Without it, servers starting together on an empty database would each create a key of their own, and a cookie
/// protected with one server's key could be refused by another until its key ring refreshed (up to a day later).
/// </summary>
public sealed class PostgresKeyRingInitializer(NpgsqlDataSource dataSource, IServiceProvider services, TimeProvider clock) : IStorageInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (services.GetService<IKeyManager>() is not { } keys)
            return; // a host without data protection (the CLI) has no key ring to prepare
        await using var startupLock = await AdvisoryLock.AcquireAsync(dataSource, PostgresMigrator.StartupLockKey, cancellationToken);
        var now = clock.GetUtcNow();
        // Like the default key resolver: a key counts if it is active now and lasts beyond the next couple of days.
        if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now.AddDays(2)))
            keys.CreateNewKey(now, now.AddDays(90));
    }
}
