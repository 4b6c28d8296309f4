using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Moves the session_search entries that this transaction's triggers queued (migration 410) into the FTS5 index: in
/// ascending rowid order, after the transaction's last statement that opens a savepoint, so FTS5 writes them as one
/// segment at commit instead of flushing a segment at each following session upsert. Runs as the last step of
/// <see cref="SessionRollupDeltas.Flush"/>, which every transaction that writes session rows ends with, and of
/// <see cref="SessionRollupBackfill.Run"/> for loaders that insert session rows themselves; outside a transaction the
/// queue is therefore empty and session_search holds every document.
/// </summary>
internal static class SessionSearchQueue
{
    public static void Drain(SqliteConnection connection)
    {
        using (var insert = new RawStatement(connection, "INSERT INTO session_search (rowid, session_id, name) SELECT id, session_id, name FROM session_search_queue ORDER BY id"))
            insert.Execute();
        using (var clear = new RawStatement(connection, "DELETE FROM session_search_queue"))
            clear.Execute();
    }
}
