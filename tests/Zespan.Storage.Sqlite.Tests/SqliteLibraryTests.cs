using System.Runtime.CompilerServices;
using SQLitePCL;
using Zespan.Storage.Sqlite;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// SQLite's memory statistics are off in every process that opens Zespan's database: they are a global mutex on every
/// malloc and free inside SQLite. SQLite takes the setting only before it initialises, so this assembly makes
/// <see cref="SqliteDatabase"/>'s static constructor the first SQLite code it runs, as the server's start-up does (two
/// tests here open bare in-memory connections, and xunit orders nothing).
/// </summary>
public sealed class SqliteLibraryTests
{
    [ModuleInitializer]
    internal static void OpenZespansDatabaseTypeFirst() => RuntimeHelpers.RunClassConstructor(typeof(SqliteDatabase).TypeHandle);

    [Fact]
    public async Task MemoryStatistics_AreOff_OnceADatabaseIsOpen()
    {
        var folder = Directory.CreateTempSubdirectory("zespan-library-").FullName;
        try
        {
            var database = new SqliteDatabase(Path.Combine(folder, "zespan.db"));
            await database.MigrateAsync();
            await using var connection = await database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master";
            Assert.True(Convert.ToInt64(await command.ExecuteScalarAsync()) > 0);
            // With statistics on, SQLite counts the megabytes a migrated file's schema and caches hold; off, it counts nothing.
            Assert.Equal(0, raw.sqlite3_memory_used());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
