using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The WAL's writes are gathered in memory and reach the file in fewer, larger calls (<see cref="WalWriteGathering"/>).
/// What must not change: another connection reads every commit as soon as it returns, and the files on disk after a
/// commit hold it whole, which is what a process killed right after the 2xx (or a power cut after the sync) relies on.
/// Each case writes with a random key (pages all over the index), with and without a sync per commit, and with a page
/// cache small enough that a large transaction spills frames to the WAL before its commit and rewrites them in place.
/// </summary>
public sealed class WalWriteGatheringTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zespan-wal-").FullName;

    [Theory]
    [InlineData("FULL", 2_000)]
    [InlineData("NORMAL", 2_000)]
    [InlineData("OFF", 2_000)]
    [InlineData("FULL", 20)]
    [InlineData("OFF", 20)]
    public async Task EveryCommit_IsReadAtOnceByAnotherConnection_AndRecoveredFromACopyOfTheFiles(string synchronous, int cachePages)
    {
        Assert.True(WalWriteGathering.Registered);
        var before = WalWriteGathering.Counts;
        var (database, path) = await CreateAsync();
        await using var writer = await OpenWriterAsync(database, synchronous, cachePages);
        await using var reader = await database.OpenAsync();
        var random = new Random(36);
        var committed = new List<(long Rows, long Sum)>();
        long rows = 0, sum = 0;
        for (var commit = 1; commit <= 24; commit++)
        {
            var count = commit % 6 == 0 ? 4_000 : random.Next(1, 400);
            sum += await InsertAsync(writer, random, count, rollBack: false);
            rows += count;
            committed.Add((rows, sum));
            Assert.Equal((rows, sum), await TotalsAsync(reader));
            if (commit % 5 == 0)
                Assert.Equal((rows, sum), await RecoveredTotalsAsync(path, $"copy-{commit}"));
            if (commit % 8 == 0)
                await ExecuteAsync(reader, "PRAGMA wal_checkpoint(RESTART);"); // the next commit writes from the WAL's start
        }
        Assert.Equal(committed[^1], await RecoveredTotalsAsync(path, "copy-last"));
        var after = WalWriteGathering.Counts;
        Assert.True(after.Writes - before.Writes > 2_000, $"{after.Writes - before.Writes} WAL writes");
        // Gathered: far fewer calls than the two per frame SQLite asked for (other tests may write at the same time). Not
        // with a tiny cache: its spills read pages back from the WAL between writes, and a read writes out what is gathered.
        if (cachePages > 1_000)
            Assert.True((after.Calls - before.Calls) * 4 < after.Writes - before.Writes, $"{after.Calls - before.Calls} calls for {after.Writes - before.Writes} writes");
    }

    [Fact]
    public async Task ATransactionThatSpilledAndRolledBack_LeavesOnlyTheCommittedRows()
    {
        var (database, path) = await CreateAsync();
        await using var writer = await OpenWriterAsync(database, "FULL", cachePages: 20);
        await using var reader = await database.OpenAsync();
        var random = new Random(7);
        var kept = await InsertAsync(writer, random, 300, rollBack: false);
        await InsertAsync(writer, random, 5_000, rollBack: true); // spills frames to the WAL, then rolls back
        kept += await InsertAsync(writer, random, 200, rollBack: false);

        Assert.Equal((500, kept), await TotalsAsync(reader));
        Assert.Equal((500, kept), await RecoveredTotalsAsync(path, "copy"));
    }

    private async Task<(SqliteDatabase Database, string Path)> CreateAsync()
    {
        var path = Path.Combine(_folder, "wal.db");
        var database = new SqliteDatabase(path);
        await using var connection = await database.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, v BLOB NOT NULL, n INTEGER NOT NULL);");
        return (database, path);
    }

    private static async Task<SqliteConnection> OpenWriterAsync(SqliteDatabase database, string synchronous, int cachePages)
    {
        var connection = await database.OpenAsync();
        await ExecuteAsync(connection, $"PRAGMA synchronous = {synchronous}; PRAGMA cache_size = {cachePages}; PRAGMA wal_autocheckpoint = 0;");
        return connection;
    }

    /// <summary>Inserts rows with random keys and 300-byte values in one transaction; returns the sum of their numbers.</summary>
    private static async Task<long> InsertAsync(SqliteConnection connection, Random random, int count, bool rollBack)
    {
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO t (k, v, n) VALUES ($k, $v, $n)";
        var key = insert.Parameters.Add("$k", SqliteType.Text);
        var value = insert.Parameters.Add("$v", SqliteType.Blob);
        var number = insert.Parameters.Add("$n", SqliteType.Integer);
        long sum = 0;
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[300];
            random.NextBytes(bytes);
            key.Value = Convert.ToHexString(bytes, 0, 16);
            value.Value = bytes;
            number.Value = random.Next(1_000_000);
            sum += (int)number.Value;
            await insert.ExecuteNonQueryAsync();
        }
        if (rollBack)
            await transaction.RollbackAsync();
        else
            await transaction.CommitAsync();
        return rollBack ? 0 : sum;
    }

    private static async Task<(long Rows, long Sum)> TotalsAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(sum(n), 0), (SELECT count(*) FROM t INDEXED BY sqlite_autoindex_t_1 WHERE k > '') FROM t";
        await using var row = await command.ExecuteReaderAsync();
        await row.ReadAsync();
        Assert.Equal(row.GetInt64(0), row.GetInt64(2)); // the key index holds every row too
        return (row.GetInt64(0), row.GetInt64(1));
    }

    /// <summary>Copies the database and WAL files as they are on disk now and opens the copy, so SQLite recovers it from the WAL.</summary>
    private async Task<(long Rows, long Sum)> RecoveredTotalsAsync(string path, string name)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        var copy = Path.Combine(folder, "wal.db");
        File.Copy(path, copy);
        File.Copy(path + "-wal", copy + "-wal");
        await using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
        await connection.OpenAsync();
        await using (var check = connection.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
        }
        return await TotalsAsync(connection);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
