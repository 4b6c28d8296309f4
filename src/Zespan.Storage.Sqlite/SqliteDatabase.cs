using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The embedded database file: opens connections with the pragmas Zespan relies on and applies migrations.
/// WAL lets readers run beside the single writer; synchronous=FULL makes a committed batch survive a power cut,
/// which is what a 2xx from ingestion promises.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    static SqliteDatabase() => SqliteLibrary.EnsureConfigured();

    public SqliteDatabase(string filePath)
    {
        FilePath = Path.GetFullPath(filePath);
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary>
    /// A connection from the pool with Zespan's pragmas. Retried once when the pool handed over a closed handle: a
    /// <c>ClearPool</c> (<see cref="OptimizeAsync(SqliteConnection, CancellationToken)"/>) that runs while another thread's
    /// open is between marking the connection active and naming its owner takes it for a leaked one and disposes its
    /// native handle (Microsoft.Data.Sqlite 10; dotnet/efcore#38854). The open then succeeds and the first statement
    /// throws ObjectDisposedException — a request's 500, seen once in a run of HostileQueryTests. Only a connection being
    /// opened is in that window, so a second open gets a live one. (A stress test of opens against back-to-back clears,
    /// four threads for four seconds, never met the window, so none is kept: it could not fail.)
    /// </summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await OpenOnceAsync(cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            return await OpenOnceAsync(cancellationToken);
        }
    }

    private async Task<SqliteConnection> OpenOnceAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the file if needed, switches it to WAL and applies every migration not yet applied, in order.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => MigrateAsync(NullLogger.Instance, SqliteMigrator.DefaultHeartbeat, cancellationToken);

    /// <summary>
    /// As <see cref="MigrateAsync(CancellationToken)"/>, saying on <paramref name="logger"/> which migration of how many is
    /// running, and every <paramref name="heartbeat"/> that a long statement is still running.
    /// </summary>
    public async Task MigrateAsync(ILogger logger, TimeSpan heartbeat, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        // Migrations that build indexes or backfill rollups on a large file sort millions of rows; with the connection's
        // temp_store = MEMORY those sorts lived in RAM (server peak 1.06 GB while upgrading a 1M-session file). On disk
        // they cost a little time once and keep the server's memory bounded.
        await SetTempStoreAsync(connection, "FILE", cancellationToken);
        try
        {
            await SqliteMigrator.ApplyAsync(connection, logger, heartbeat, cancellationToken);
        }
        finally
        {
            await SetTempStoreAsync(connection, "MEMORY", cancellationToken);
        }
        DeferredSessionRebuilds.RebuildMarked(connection); // sessions a crash left between a write's two commits
    }

    private static async Task SetTempStoreAsync(SqliteConnection connection, string mode, CancellationToken cancellationToken)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA temp_store = {mode};"; // one of two constants above; PRAGMA takes no parameters
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Refreshes the query planner's statistics (sqlite_stat1) where they are missing or stale, as SQLite advises for
    /// long-lived applications. Without them the planner cannot tell a selective date range from an unselective one and
    /// walks the wrong sessions index. analysis_limit keeps ANALYZE to a sample of each index (0.5 s for a 100k-session file), so it stays cheap on
    /// a large file.
    /// </summary>
    public async Task OptimizeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await OptimizeAsync(connection, cancellationToken);
    }

    /// <summary>
    /// As <see cref="OptimizeAsync(CancellationToken)"/>, on <paramref name="connection"/>. A connection loads the statistics
    /// when it opens and keeps them: ANALYZE on one connection leaves every other open one planning with the old figures
    /// (a reader pooled while the file was new would plan with an empty file's statistics for the life of the process). So
    /// when the statistics changed, the pool is cleared: idle connections close, and busy ones are closed when returned, so
    /// every later reader opens with the new statistics. This connection reloads them itself.
    /// </summary>
    internal static async Task OptimizeAsync(SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        var before = await StatisticsAsync(connection, cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA analysis_limit = 20000; PRAGMA optimize = 0x10002;";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        if (await StatisticsAsync(connection, cancellationToken) != before)
            SqliteConnection.ClearPool(connection);
    }

    /// <summary>The planner's statistics as one text (a row of sqlite_stat1 per analysed table and index), or null before any.</summary>
    private static async Task<string?> StatisticsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'"; // ANALYZE creates it; a statement naming it fails before
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
            return null;
        command.CommandText = "SELECT group_concat(tbl || ' ' || coalesce(idx, '') || ' ' || stat, ';') FROM sqlite_stat1";
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
