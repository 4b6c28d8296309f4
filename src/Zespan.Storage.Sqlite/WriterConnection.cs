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
    /// WAL pages after which the writer checkpoints inside its own commit (SQLite's default is 1,000): normally the
    /// background checkpointer copies the frames first; this only bounds the WAL (~80 MB) if it falls behind.
    /// </summary>
    private const int AutoCheckpointPages = 20_000;

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
