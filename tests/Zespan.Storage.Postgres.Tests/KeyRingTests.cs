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

            await using (var count = servers[0].GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT count(*) FROM data_protection_keys"))
                Assert.Equal(1L, await count.ExecuteScalarAsync());
            var protectedText = servers[0].GetDataProtector("cookie").Protect("user 42");
            Assert.Equal("user 42", servers[1].GetDataProtector("cookie").Unprotect(protectedText));
            Assert.Equal("user 42", servers[2].GetDataProtector("cookie").Unprotect(protectedText));
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
