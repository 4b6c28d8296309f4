using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>The alert store in a fresh SQLite file; a second opening is another store on the same file, as a second process would have.</summary>
public sealed class SqliteAlertStoreFactory : IAlertStoreFactory
{
    public async Task<AlertStoreUnderTest> CreateAsync()
    {
        var (storage, folder) = await SqliteStoreFactory.CreateStorageAsync();
        var controlPlane = new ControlPlaneUnderTest(storage.Projects, storage.Organizations, storage.Users, storage.Versions, storage.Leases,
            new SqliteSetupLock(storage.Database), () => throw new NotSupportedException(), sessionSettings: storage.SessionSettings);
        return new AlertStoreUnderTest(controlPlane, new SqliteAlertStore(storage.Database, TimeProvider.System),
            () => new SqliteAlertStore(new SqliteDatabase(storage.Database.FilePath), TimeProvider.System),
            () => SqliteStoreFactory.DeleteAsync(storage, folder));
    }
}

public sealed class SqliteAlertTests() : AlertConformance(new SqliteAlertStoreFactory());
