using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>The data-protection key ring in PostgreSQL: what one server protects (login cookies), another reads.</summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyRingTests(PostgresCluster cluster)
{
    [Fact]
    public async Task TwoServersStartingTogether_ShareOneKey_AndReadEachOthersCookies()
    {
        var database = await cluster.CreateDatabaseAsync();
        try
        {
            var servers = Enumerable.Range(0, 3).Select(_ => Server(cluster.ConnectionString(database))).ToList();
            await Task.WhenAll(servers.Select(s => s.InitializeStorageAsync()));

            // Each server protects at once (as first logins would); every server reads what any other protected.
            var cookies = await Task.WhenAll(servers.Select((s, i) => Task.Run(() => s.GetDataProtector("cookie").Protect($"user {i}"))));
            for (var reader = 0; reader < servers.Count; reader++)
                for (var writer = 0; writer < servers.Count; writer++)
                    Assert.Equal($"user {writer}", servers[reader].GetDataProtector("cookie").Unprotect(cookies[writer]));
            await using (var count = servers[0].GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT count(*) FROM data_protection_keys"))
                Assert.Equal(1L, await count.ExecuteScalarAsync());
            var protectedText = cookies[0];
            // A different purpose (another cookie or token kind) cannot read it: the ring is shared, not the meaning.
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => servers[1].GetDataProtector("other").Unprotect(protectedText));
            foreach (var server in servers)
                await server.DisposeAsync();
        }
        finally
        {
            await cluster.DropDatabaseAsync(database);
        }
    }

    /// <summary>A host's services as the server registers them, each with its own container (its own key ring cache).</summary>
    private static ServiceProvider Server(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddZespanPostgresControlPlane(connectionString);
        return services.BuildServiceProvider();
    }
}

internal static class InitializerExtensions
{
    public static async Task InitializeStorageAsync(this IServiceProvider services)
    {
        foreach (var initializer in services.GetServices<IStorageInitializer>())
            await initializer.InitializeAsync();
    }
}
