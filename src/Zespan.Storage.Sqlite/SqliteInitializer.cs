using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Start-up of the embedded file: migrations (their progress on the log), then fresh planner statistics.</summary>
public sealed class SqliteInitializer(SqliteDatabase database, ILogger<SqliteInitializer>? logger = null) : IStorageInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await database.MigrateAsync((ILogger?)logger ?? NullLogger.Instance, SqliteMigrator.DefaultHeartbeat, cancellationToken);
        await database.OptimizeAsync(cancellationToken);
    }
}
