using Npgsql;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>The alert store on a fresh database of the run's cluster; a second opening is a second data source, as a second server has.</summary>
public sealed class PostgresAlertStoreFactory(PostgresCluster cluster) : IAlertStoreFactory
{
    public async Task<AlertStoreUnderTest> CreateAsync()
    {
        var database = await cluster.CreateDatabaseAsync();
        var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString(database));
        await new PostgresMigrator(dataSource).InitializeAsync();
        var others = new List<NpgsqlDataSource>();
        var controlPlane = new ControlPlaneUnderTest(new PostgresProjectStore(dataSource, TimeProvider.System), new PostgresOrganizationStore(dataSource, TimeProvider.System),
            new PostgresUserStore(dataSource, TimeProvider.System), new PostgresControlPlaneVersions(dataSource), new PostgresLeaseStore(dataSource),
            new PostgresSetupLock(dataSource), () => throw new NotSupportedException(), sessionSettings: new PostgresProjectSessionSettingsStore(dataSource));
        return new AlertStoreUnderTest(controlPlane, new PostgresAlertStore(dataSource, TimeProvider.System),
            () =>
            {
                var another = NpgsqlDataSource.Create(cluster.ConnectionString(database));
                others.Add(another);
                return new PostgresAlertStore(another, TimeProvider.System);
            },
            async () =>
            {
                foreach (var other in others)
                    await other.DisposeAsync();
                await dataSource.DisposeAsync();
                await cluster.DropDatabaseAsync(database);
            });
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresAlertTests(PostgresCluster cluster) : AlertConformance(new PostgresAlertStoreFactory(cluster));
