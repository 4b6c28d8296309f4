using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Start-up of the embedded file: migrations (their progress on the log), then fresh planner statistics.</summary>
public sealed class SqliteInitializer(SqliteDatabase database, ILogger<SqliteInitializer>? logger = null) : IStorageInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        // SqliteDatabase applied the library's settings before its first connection; 21 (misuse) means something in this
        // process opened SQLite first, and the defaults (correct, only slower) stay. Said once, so an operator can tell.
        if (SqliteLibrary.EnsureConfigured() is var configured and not 0)
            logger?.LogWarning("SQLite was initialised before Zespan could turn its memory statistics off (sqlite3_config answered {Code}); it runs with the library's defaults, correct but slower under concurrent use.", configured);
        await database.MigrateAsync((ILogger?)logger ?? NullLogger.Instance, SqliteMigrator.DefaultHeartbeat, cancellationToken);
        await database.OptimizeAsync(cancellationToken);
    }
}
