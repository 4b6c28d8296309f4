using SQLitePCL;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Process-wide settings of the SQLite library, applied once before the first connection opens (SQLite accepts them only
/// before it initialises; afterwards it answers "misuse" and keeps its defaults, which are correct, only slower).
/// Memory statistics off: with them on (the library's default), every malloc and free inside SQLite takes one global
/// mutex to update counters nothing in Zespan reads, so the writer, the indexer and every reader contend on it.
/// The threading mode stays serialized: multi-thread mode would drop each connection's own mutex too, but it needs
/// proof that no connection or statement is ever touched by two threads (the finalizer thread included), and it
/// showed no gain beside this setting (docs/benchmarks.md).
/// WAL writes are gathered into 64 KiB calls (<see cref="WalWriteGathering"/>) unless
/// <c>ZESPAN_SQLITE_WAL_WRITES=direct</c> asks for SQLite's own two calls per frame (a switch for comparison and for
/// ruling the layer out).
/// </summary>
internal static class SqliteLibrary
{
    private const int ConfigMemoryStatistics = 9; // SQLITE_CONFIG_MEMSTATUS

    private static readonly Lazy<int> Configured = new(Configure);

    /// <summary>SQLite's answer: 0 when applied, 21 (misuse) when the library was already initialised.</summary>
    public static int EnsureConfigured() => Configured.Value;

    private static int Configure()
    {
        Batteries_V2.Init();
        var configured = raw.sqlite3_config(ConfigMemoryStatistics, 0);
        // After the configuration: registering a VFS initialises SQLite, and configuration is refused after that.
        if (!string.Equals(Environment.GetEnvironmentVariable("ZESPAN_SQLITE_WAL_WRITES"), "direct", StringComparison.OrdinalIgnoreCase))
            WalWriteGathering.Register();
        return configured;
    }
}
