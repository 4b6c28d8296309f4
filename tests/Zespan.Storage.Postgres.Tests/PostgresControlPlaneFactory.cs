using Npgsql;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>
/// A fresh, migrated database on the run's cluster per test, dropped afterwards. A second opening is a second data source
/// on the same database with its own stores, as a second server would have.
/// </summary>
public sealed class PostgresControlPlaneFactory(PostgresCluster cluster) : IControlPlaneFactory
{
    public async Task<ControlPlaneUnderTest> CreateAsync()
    {
        var database = await cluster.CreateDatabaseAsync();
        var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString(database));
        await new PostgresMigrator(dataSource).InitializeAsync();
        return Open(dataSource, database, async () =>
        {
            await dataSource.DisposeAsync();
            await cluster.DropDatabaseAsync(database);
        });
    }

    private ControlPlaneUnderTest Open(NpgsqlDataSource dataSource, string database, Func<ValueTask> cleanUp) =>
        new(new PostgresProjectStore(dataSource, TimeProvider.System), new PostgresOrganizationStore(dataSource, TimeProvider.System),
            new PostgresUserStore(dataSource, TimeProvider.System), new PostgresControlPlaneVersions(dataSource), new PostgresLeaseStore(dataSource),
            new PostgresSetupLock(dataSource),
            () =>
            {
                var another = NpgsqlDataSource.Create(cluster.ConnectionString(database));
                return Task.FromResult(Open(another, database, () => another.DisposeAsync()));
            },
            cleanUp, new PostgresProjectSessionSettingsStore(dataSource));
}

/// <summary>The control-plane conformance suite on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresControlPlaneTests(PostgresCluster cluster) : ControlPlaneConformance(new PostgresControlPlaneFactory(cluster));
