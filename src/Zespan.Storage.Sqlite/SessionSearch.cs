using System.Text;
using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The q= condition: the text is a substring of the session's name or id, ASCII case-insensitive (SQLite's LIKE, with
/// % _ and \ matched literally). A text of three or more characters is answered by the trigram index (migration 160)
/// alone: the index holds lower() of each id and name with positions, so the phrase of the text's trigrams, lower()'d the
/// same way, matches exactly the LIKE matches, and a project's documents are one rowid range. Shorter texts have no
/// trigram and are answered by the LIKE test on every session row.
/// </summary>
internal static class SessionSearch
{
    /// <summary>Whether the index can answer the text (three characters or more); else only the row test can.</summary>
    public static bool Indexed(string text) => Phrase(text) is not null;

    /// <summary>
    /// Appends the condition on alias s; every session query binds its project as $p (s.project_id = $p). As candidates,
    /// the matching sessions come from the index (few matches: one index read each); as a row test, the row's own name
    /// and id are LIKE-tested (a walk along a sort index that stops after a page, when matches are many).
    /// </summary>
    public static void Append(StringBuilder sql, SqliteCommand command, string text, bool asRowTest = false)
    {
        if (asRowTest || Phrase(text) is not { } phrase)
        {
            command.With("$q", "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
            sql.Append(" AND (s.name LIKE $q ESCAPE '\\' OR s.session_id LIKE $q ESCAPE '\\')");
            return;
        }
        sql.Append("""
             AND s.session_id IN (SELECT d.session_id FROM session_search f CROSS JOIN session_search_docs d ON d.id = f.rowid
                 WHERE f.session_search MATCH $qPhrase AND f.rowid >= $p * 1099511627776 AND f.rowid < ($p + 1) * 1099511627776)
            """);
        command.With("$qPhrase", phrase);
    }

    /// <summary>
    /// The FROM clause "matches, then their session rows" for a query on alias s whose q= is indexed (append the filter
    /// with TextAs.Joined): CROSS JOIN keeps SQLite from walking a sort index and probing the matches instead, which
    /// reads every session of the project when the matches are few.
    /// </summary>
    public static string JoinedFrom(SqliteCommand command, string text)
    {
        command.With("$qPhrase", Phrase(text) ?? throw new ArgumentException("Only a text of three characters or more is in the index.", nameof(text)));
        return """
            (SELECT d.session_id FROM session_search f CROSS JOIN session_search_docs d ON d.id = f.rowid
             WHERE f.session_search MATCH $qPhrase AND f.rowid >= $p * 1099511627776 AND f.rowid < ($p + 1) * 1099511627776) AS m
            CROSS JOIN sessions s ON s.project_id = $p AND s.session_id = m.session_id
            """;
    }

    /// <summary>How many sessions of the project match the text, counted in the index alone; null below three characters.</summary>
    public static async Task<long?> CountAsync(SqliteConnection connection, long projectId, string text, CancellationToken cancellationToken)
    {
        if (Phrase(text) is not { } phrase)
            return null;
        // A project's documents are ids [project * 2^40, (project + 1) * 2^40) (migration 160).
        await using var count = connection.Command("SELECT count(*) FROM session_search WHERE session_search MATCH $qPhrase AND rowid >= $p * 1099511627776 AND rowid < ($p + 1) * 1099511627776");
        count.With("$p", projectId).With("$qPhrase", phrase);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The text as an FTS5 phrase (one quoted string, which the trigram tokenizer splits into its consecutive trigrams),
    /// A–Z folded to a–z as SQLite's lower() folds the indexed text; null below three characters (no trigram).
    /// </summary>
    public static string? Phrase(string text)
    {
        // The tokenizer counts Unicode characters of the UTF-8 text; SQLite receives a lone surrogate as U+FFFD, as Rune does.
        if (text.EnumerateRunes().Take(3).Count() < 3)
            return null;
        var folded = new string(text.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c).ToArray());
        return "\"" + folded.Replace("\"", "\"\"") + "\"";
    }
}
