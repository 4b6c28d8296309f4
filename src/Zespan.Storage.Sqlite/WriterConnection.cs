using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The one connection the span writer (and the guard queue's clean-up) writes through, kept open instead of taken from
/// the pool for each group commit. Why: SQLite keeps its page cache per connection, and in WAL mode a connection drops
/// all of it when another connection committed since its last transaction. With a pooled connection per commit, the
/// guard queue's delete after every commit (another connection) and readers borrowing the writer's last connection meant
/// the writer met a cold 64 MB cache and read the index pages of its random text keys back from the file for every group
/// (pread, page faults, page-cache allocation: see docs/benchmarks.md, issue 15's writer profile).
/// Use only while holding the write gate's turn: a connection is not thread-safe, and the gate serialises its users.
/// </summary>
internal sealed class WriterConnection(SqliteDatabase database)
{
    /// <summary>
    /// WAL pages after which the writer checkpoints inside its own commit (SQLite's default is 1,000). The background
    /// checkpointer copies the frames into the file, but SQLite starts the WAL over only when a write transaction begins
    /// with every frame copied, and under continuous ingestion the writer begins the next one while the last commit's
    /// frames are still being copied. So only the writer's own checkpoint, which copies that last commit's frames on
    /// the writer's time, lets the WAL start over. At 20,000 pages it did so every second or third commit, copying a
    /// third to a half of all frames itself; at 50,000 the WAL grows to ~200 MB (plus one commit) before it starts over,
    /// and the writer's time per span fell by ~15 % (docs/benchmarks.md, session 36).
    /// </summary>
    private const int AutoCheckpointPages = 50_000;

    private SqliteConnection? _connection;

    /// <summary>The open writer connection, opened on first use or after a failure; the caller holds the write gate.</summary>
    public async Task<SqliteConnection> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_connection is { } open)
            return open;
        var connection = await database.OpenAsync(cancellationToken);
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = $"PRAGMA wal_autocheckpoint = {AutoCheckpointPages};"; // a constant of ours: PRAGMA takes no parameters
            pragma.ExecuteNonQuery();
        }
        _connection = connection;
        return connection;
    }

    /// <summary>The connection if one is open (benchmarks read SQLite's page counters from it), without opening one.</summary>
    internal SqliteConnection? Current => _connection;

    /// <summary>
    /// Closes the connection after a failed write, so the next one starts from a fresh connection rather than one left in
    /// an unknown state (an I/O error mid-commit, say). The caller holds the write gate.
    /// </summary>
    public void Discard()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
