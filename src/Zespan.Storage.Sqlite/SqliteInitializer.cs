using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Start-up of the embedded file: migrations, then fresh planner statistics.</summary>
public sealed class SqliteInitializer(SqliteDatabase database) : IStorageInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await database.MigrateAsync(cancellationToken);
        await database.OptimizeAsync(cancellationToken);
    }
}
