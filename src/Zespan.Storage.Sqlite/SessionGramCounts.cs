using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Per project and folded character, how many documents of the gram index hold it (migration 390), so that a q= of one
/// character with no other filter is counted without reading the character's doclist: at 1 M sessions q=a matched 879 k
/// documents, and counting them through the index (~30-60 ns each) was the whole of the request. The count is
/// session_gram_counts less the queued texts of entries taken out since (LIKE-tested) plus the pending documents
/// (LIKE-tested): exact at every moment, whatever the indexer's lag, as the gram index's own answer is.
/// SessionGramIndexer keeps the counts: it adds a document's characters in the transaction that indexes it, and
/// subtracts a queued removed text's characters in the transaction that deletes it from the queue.
/// </summary>
internal static class SessionGramCounts
{
    /// <summary>Queued removed texts of a project above which the index's count is read instead (a large retention run).</summary>
    private const long ManyRemoved = 20_000;

    /// <summary>The change to the counts one indexer transaction makes, per (project, character).</summary>
    public sealed class Changes
    {
        private readonly Dictionary<(long Project, string Gram), long> _changes = [];

        /// <summary>A document given its entry (+1) or a removed entry's text subtracted (-1): each distinct character once.</summary>
        public void Add(long project, string sessionId, string? name, int sign)
        {
            foreach (var gram in SessionGrams.Characters(sessionId).Concat(name is null ? [] : SessionGrams.Characters(name)).Distinct(StringComparer.Ordinal))
                _changes[(project, gram)] = _changes.GetValueOrDefault((project, gram)) + sign;
        }

        public void Write(SqliteConnection connection, SqliteTransaction transaction)
        {
            using var upsert = connection.Prepared(transaction, """
                INSERT INTO session_gram_counts (project_id, gram, documents) VALUES ($p, $gram, $n)
                ON CONFLICT (project_id, gram) DO UPDATE SET documents = documents + excluded.documents
                """, "$p", "$gram", "$n");
            foreach (var ((project, gram), n) in _changes)
            {
                if (n == 0)
                    continue;
                upsert.Set("$p", project);
                upsert.Set("$gram", gram);
                upsert.Set("$n", n);
                upsert.ExecuteNonQuery();
            }
        }
    }

    /// <summary>
    /// Subtracts the characters of up to <paramref name="batch"/> queued removed texts (oldest first) and deletes them
    /// from the queue, in the caller's write transaction; returns how many.
    /// </summary>
    public static int Subtract(SqliteConnection connection, SqliteTransaction transaction, Changes changes, int batch)
    {
        using var queued = connection.Command("SELECT seq, project_id, session_id, name FROM session_grams_removed ORDER BY seq LIMIT $batch", transaction)
            .With("$batch", batch);
        var cleared = 0;
        long last = 0;
        using (var reader = queued.ExecuteReader())
        {
            while (reader.Read())
            {
                cleared++;
                last = reader.GetInt64(0);
                changes.Add(reader.GetInt64(1), reader.GetString(2), reader.GetNullableString(3), -1);
            }
        }
        using var clear = connection.Command("DELETE FROM session_grams_removed WHERE seq <= $last", transaction).With("$last", last);
        clear.ExecuteNonQuery();
        return cleared;
    }

    /// <summary>
    /// How many documents of the project hold the one-character text, exactly; null when the text is not one character
    /// the gram index answers, or when so many removed texts are queued that the index's own count is cheaper.
    /// pending: the SQL of the project's pending documents LIKE-tested with $qLike (SessionSearch), added in the same
    /// statement, so the counts, the queue and the pending documents are read in one snapshot.
    /// </summary>
    public static async Task<long?> CountAsync(SqliteConnection connection, long projectId, string text, string likePattern, string pending, Action<SqliteCommand> bindPending,
        CancellationToken cancellationToken)
    {
        if (SessionGrams.Character(text) is not { } gram)
            return null;
        await using (var many = connection.Command("SELECT count(*) FROM (SELECT 1 FROM session_grams_removed WHERE project_id = $p LIMIT $many)")
            .With("$p", projectId).With("$many", ManyRemoved))
        {
            if ((long)(await many.ExecuteScalarAsync(cancellationToken))! >= ManyRemoved)
                return null;
        }
        await using var count = connection.Command($"""
            SELECT coalesce((SELECT documents FROM session_gram_counts WHERE project_id = $p AND gram = $gram), 0)
                 - (SELECT count(*) FROM session_grams_removed r WHERE r.project_id = $p AND {SessionSearch.Like("r", "$qLike")})
                 + ({pending})
            """).With("$p", projectId).With("$gram", gram).With("$qLike", likePattern);
        bindPending(count);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }
}
