using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Indexes the grams (SessionGrams, migration 350) of the search documents the writer marked pending, and copies the
/// figures (and session id, 380) of the documents whose session changed into session_search_facts (migration 360), the
/// filter columns of them into session_search_filters (380) and their turns and active-time bands (400), outside
/// the writer's own transactions. Why: built in the writer's triggers, the gram index cost +19 % write time per span (every
/// new session's and rename's trigrams twice over), and the writer is the ingest bottleneck (issue 15). Here a batch of
/// pending documents is indexed in one short transaction of its own and cleared from the queue in it, so a reader sees
/// each document either pending (no entry, LIKE-tested) or indexed (not pending), never both and never neither.
/// <para>
/// Each batch takes the write gate and the span writer's own connection, as the guard queue's clean-up does: a commit from
/// another connection would make the writer drop its page cache (WriterConnection). Documents are read and written in
/// the same IMMEDIATE transaction, so no write of the writer falls between reading a name and indexing it.
/// </para>
/// </summary>
public sealed class SessionGramIndexer
{
    private readonly SqliteWriteGate _writeGate;
    private readonly WriterConnection _writer;

    internal SessionGramIndexer(SqliteWriteGate writeGate, WriterConnection writer) => (_writeGate, _writer) = (writeGate, writer);

    /// <summary>
    /// Documents per transaction in the background: ~12 ms of the gate at a time, so ingestion waits little. At 500 a
    /// batch held the gate ~54 ms (max ~100) once the grams, facts, filters and both banded indexes (350–400) were
    /// written per document; 100 costs ~1 µs more indexer CPU per span in fixed per-transaction work (docs/benchmarks.md).
    /// </summary>
    public const int BackgroundBatch = 100;

    /// <summary>
    /// Documents indexed between two refreshes of the planner's statistics (PRAGMA optimize, on the writer's connection,
    /// whose FTS5 statements are then planned again). Why: FTS5 deletes the pages of merged-away segments with
    /// <c>DELETE FROM x_data WHERE id &gt;= ? AND id &lt;= ?</c>, and SQLite plans that as a scan of the whole table while
    /// sqlite_stat1 says the table holds 2 rows, as it does when last analysed empty: on a new file, and after an upgrade
    /// that rebuilt an index and left its documents to this indexer. The writer refreshes the statistics only every
    /// 250,000 spans, so a fill without ingestion read every page of each index at every merge: 575,000 documents took
    /// 17.5–21 min, slowing as they went; ~120 s with this refresh (docs/benchmarks.md, issue 15, session 30). SQLite
    /// re-analyses a table once its size is 25 times what sqlite_stat1 says, so the first refresh here sets the planner
    /// right and later ones are cheap checks.
    /// </summary>
    public const int DocumentsBetweenOptimize = 10_000;

    private int _documentsSinceOptimize; // guarded by the write gate, like every batch

    /// <summary>
    /// Indexes up to <paramref name="batch"/> pending documents of each queue (grams, facts), lowest ids first, and subtracts
    /// as many removed entries' texts from the per-character counts (SessionGramCounts), in one transaction; returns the
    /// most entries it cleared from any queue (fewer than the batch: every queue is empty).
    /// </summary>
    public async Task<int> IndexBatchAsync(int batch = BackgroundBatch, CancellationToken cancellationToken = default)
    {
        using (await _writeGate.EnterAsync(cancellationToken))
        {
            var connection = await _writer.GetAsync(cancellationToken);
            try
            {
                await using var transaction = connection.BeginTransaction(deferred: false);
                var cleared = Math.Max(Index(connection, transaction, batch), CopyFacts(connection, transaction, batch));
                await transaction.CommitAsync(cancellationToken);
                _documentsSinceOptimize += cleared;
                if (_documentsSinceOptimize >= DocumentsBetweenOptimize)
                {
                    _documentsSinceOptimize = 0;
                    await SqliteDatabase.OptimizeAsync(connection, cancellationToken);
                }
                return cleared;
            }
            catch
            {
                _writer.Discard();
                throw;
            }
        }
    }

    /// <summary>Indexes batches until none is pending (at start-up, in a benchmark or a test); returns the entries cleared.</summary>
    public async Task<long> IndexAllAsync(int batch = 5_000, CancellationToken cancellationToken = default)
    {
        long cleared = 0;
        int last;
        do
            cleared += last = await IndexBatchAsync(batch, cancellationToken);
        while (last == batch);
        return cleared;
    }

    private static int Index(SqliteConnection connection, SqliteTransaction transaction, int batch)
    {
        // A pending id whose document was deleted or moved away since has nothing to index: it is only cleared.
        using var pending = connection.Command("""
            SELECT g.id, t.session_id, t.name
            FROM (SELECT id FROM session_grams_pending ORDER BY id LIMIT $batch) AS g
            LEFT JOIN session_search_docs d ON d.id = g.id
            LEFT JOIN sessions t ON t.project_id = d.project_id AND t.session_id = d.session_id
            ORDER BY g.id
            """, transaction).With("$batch", batch);
        using var insert = connection.Prepared(transaction, "INSERT INTO session_grams (rowid, session_id, name) VALUES ($id, $sessionId, $name)", "$id", "$sessionId", "$name");
        var counts = new SessionGramCounts.Changes();
        var cleared = 0;
        long last = 0;
        using (var reader = pending.ExecuteReader())
        {
            while (reader.Read())
            {
                cleared++;
                last = reader.GetInt64(0);
                if (reader.IsDBNull(1))
                    continue;
                // Pending means no entry (migration 350's invariant): a plain insert, nothing to delete first.
                var (sessionId, name) = (reader.GetString(1), reader.GetNullableString(2));
                insert.Set("$id", last);
                insert.Set("$sessionId", SessionGrams.Indexed(sessionId));
                insert.Set("$name", SessionGrams.Indexed(name));
                insert.ExecuteNonQuery();
                counts.Add(last / SessionSearchDays.ProjectIds, sessionId, name, +1);
            }
        }
        // The batch was the lowest pending ids, read in this write transaction: nothing else was marked since.
        using var clear = connection.Command("DELETE FROM session_grams_pending WHERE id <= $last", transaction).With("$last", last);
        clear.ExecuteNonQuery();
        // The per-character counts (migration 390) change in the same transaction as the entries they count.
        cleared = Math.Max(cleared, SessionGramCounts.Subtract(connection, transaction, counts, batch));
        counts.Write(connection, transaction);
        return cleared;
    }

    /// <summary>
    /// Copies the current figures of up to <paramref name="batch"/> pending documents into session_search_facts and clears
    /// them, in the caller's write transaction; returns the entries cleared. Pending means no row (migration 360's
    /// invariant): a plain insert. A pending id whose document was deleted or moved away since is only cleared.
    /// </summary>
    private static int CopyFacts(SqliteConnection connection, SqliteTransaction transaction, int batch)
    {
        using var last = connection.Command("""
            SELECT count(*), max(id) FROM (SELECT id FROM session_search_facts_pending ORDER BY id LIMIT $batch)
            """, transaction).With("$batch", batch);
        long cleared, upTo;
        using (var reader = last.ExecuteReader())
        {
            reader.Read();
            (cleared, upTo) = (reader.GetInt64(0), reader.IsDBNull(1) ? 0 : reader.GetInt64(1));
        }
        if (cleared == 0)
            return 0;
        WriteBands(connection, transaction, upTo);
        // Read and written in this write transaction: no write of the writer falls between reading a figure and copying it.
        using var copy = connection.Command("""
            INSERT INTO session_search_facts (id, turns, active_ms, started_ms, unpriced_calls, cost_high, cost_pico, session_id)
            SELECT g.id, t.turns, t.active_ms, t.started_ms, t.unpriced_calls, t.cost_high, t.cost_pico, t.session_id
            FROM session_search_facts_pending g
            CROSS JOIN session_search_docs d ON d.id = g.id
            CROSS JOIN sessions t ON t.project_id = d.project_id AND t.session_id = d.session_id
            WHERE g.id <= $upTo;
            INSERT INTO session_search_filters (id, turns, active_ms, started_ms)
            SELECT f.id, f.turns, f.active_ms, f.started_ms
            FROM session_search_facts_pending g CROSS JOIN session_search_facts f ON f.id = g.id
            WHERE g.id <= $upTo;
            DELETE FROM session_search_facts_pending WHERE id <= $upTo;
            """, transaction).With("$upTo", upTo);
        copy.ExecuteNonQuery();
        return (int)cleared;
    }

    /// <summary>
    /// Gives each pending document up to <paramref name="upTo"/> an entry in each banded index of migration 400
    /// (SessionSearchBands.Figures: turns, active time) under its figure's current band, in the caller's write transaction,
    /// before the documents stop being pending: an index entry is written again only where the band recorded in
    /// session_search_band_entries differs (most changes keep the band), the old one deleted first; the recorded turns
    /// and cost order are written every time. Its name and id are written lower()'d, as session_search's triggers write
    /// them (migration 160). Documents of projects above SessionSearchBands.MaxProject get none (q= is read without the
    /// bands there).
    /// </summary>
    private static void WriteBands(SqliteConnection connection, SqliteTransaction transaction, long upTo)
    {
        var figures = SessionSearchBands.Figures;
        var documents = new List<(long Id, int[] Bands, int?[] Had, string SessionId, string? Name)>();
        using (var read = connection.Command($"""
            SELECT g.id, lower(t.session_id), lower(t.name), {string.Join(", ", figures.Select(f => $"t.{f.Column}, e.{f.BandColumn}"))}
            FROM session_search_facts_pending g
            CROSS JOIN session_search_docs d ON d.id = g.id
            CROSS JOIN sessions t ON t.project_id = d.project_id AND t.session_id = d.session_id
            LEFT JOIN session_search_band_entries e ON e.id = g.id
            WHERE g.id <= $upTo AND d.project_id <= {SessionSearchBands.MaxProject}
            """, transaction).With("$upTo", upTo))
        using (var reader = read.ExecuteReader())
        {
            while (reader.Read())
                documents.Add((reader.GetInt64(0),
                    [.. figures.Select((_, f) => SessionFigureBands.Of(reader.GetInt64(3 + 2 * f)))],
                    [.. figures.Select((_, f) => reader.IsDBNull(4 + 2 * f) ? (int?)null : reader.GetInt32(4 + 2 * f))],
                    reader.GetString(1), reader.GetNullableString(2)));
        }
        // The recorded turns and cost order of every document read above, from the same session rows.
        using (var record = connection.Command($"""
            INSERT INTO session_search_band_entries (id, {string.Join(", ", figures.Select(f => f.BandColumn))}, project_id, turns, cost_unknown, cost_sort, session_id)
            SELECT g.id, {string.Join(", ", figures.Select(_ => "-1"))}, d.project_id, t.turns, t.cost_unknown, t.cost_sort, t.session_id
            FROM session_search_facts_pending g
            CROSS JOIN session_search_docs d ON d.id = g.id
            CROSS JOIN sessions t ON t.project_id = d.project_id AND t.session_id = d.session_id
            WHERE g.id <= $upTo AND d.project_id <= {SessionSearchBands.MaxProject}
            ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, turns = excluded.turns,
                cost_unknown = excluded.cost_unknown, cost_sort = excluded.cost_sort, session_id = excluded.session_id
            """, transaction).With("$upTo", upTo))
            record.ExecuteNonQuery();
        for (var f = 0; f < figures.Count; f++)
        {
            var table = figures[f].Table;
            var changed = documents.Where(d => d.Had[f] != d.Bands[f]).ToList();
            // FTS5 buffers a transaction's entries in memory only while their rowids ascend, and writes a new segment
            // (then merges it into the older ones) each time a rowid goes down. Band-major rowids in document order go
            // down at every change of band, so each batch wrote dozens of segments, and their merges grew with the
            // index: 30 µs per entry on an empty file, 260 µs beside 57,500 sessions. Hence deletes, then inserts, each
            // in ascending rowid order (docs/benchmarks.md, issue 15, session 17).
            using (var delete = connection.Prepared(transaction, $"DELETE FROM {table} WHERE rowid = $rowid", "$rowid"))
            {
                foreach (var rowid in changed.Where(d => d.Had[f] is not null).Select(d => SessionSearchBands.Rowid(d.Id, d.Had[f]!.Value)).Order())
                {
                    delete.Set("$rowid", rowid);
                    delete.ExecuteNonQuery();
                }
            }
            using (var insert = connection.Prepared(transaction,
                $"INSERT INTO {table} (rowid, session_id, name) VALUES ($rowid, $sessionId, $name)", "$rowid", "$sessionId", "$name"))
            {
                foreach (var (rowid, sessionId, name) in changed.Select(d => (Rowid: SessionSearchBands.Rowid(d.Id, d.Bands[f]), d.SessionId, d.Name)).OrderBy(e => e.Rowid))
                {
                    insert.Set("$rowid", rowid);
                    insert.Set("$sessionId", sessionId);
                    insert.Set("$name", name);
                    insert.ExecuteNonQuery();
                }
            }
            using var moved = connection.Prepared(transaction,
                $"UPDATE session_search_band_entries SET {figures[f].BandColumn} = $band WHERE id = $id", "$id", "$band");
            foreach (var document in changed)
            {
                moved.Set("$id", document.Id);
                moved.Set("$band", document.Bands[f]);
                moved.ExecuteNonQuery();
            }
        }
    }
}
