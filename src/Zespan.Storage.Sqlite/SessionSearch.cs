using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The q= condition: the text is a substring of the session's name or id, ASCII case-insensitive (SQLite's LIKE, with
/// % _ and \ matched literally). A text of three or more characters is answered by the trigram index (migration 160)
/// alone: the index holds lower() of each id and name with positions, so the phrase of the text's trigrams, lower()'d the
/// same way, matches exactly the LIKE matches, and a project's documents are one rowid range. Shorter texts have no
/// trigram and are answered by the LIKE test on every session row.
/// The sessions with errors have their documents in the upper half of the project's range (migration 280), so status=error
/// or status=ok is the phrase over one half: the index alone answers q= with a status.
/// </summary>
internal static class SessionSearch
{
    /// <summary>The filter dimensions the index's count answers by itself: q= and the status (error or not).</summary>
    public const SessionDimensions Holds = SessionDimensions.Text | SessionDimensions.Status;

    /// <summary>Whether the index can answer the text (three characters or more); else only the row test can.</summary>
    public static bool Indexed(string text) => Phrase(text) is not null;

    /// <summary>
    /// Appends the condition on alias s; every session query binds its project as $p (s.project_id = $p). As candidates,
    /// the matching sessions come from the index (few matches: one index read each); as a row test, the row's own name
    /// and id are LIKE-tested (a walk along a sort index that stops after a page, when matches are many).
    /// </summary>
    public static void Append(StringBuilder sql, SqliteCommand command, string text, SessionStatusFilter status, bool asRowTest = false)
    {
        if (asRowTest || Phrase(text) is not { } phrase)
        {
            command.With("$q", "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
            sql.Append(" AND (s.name LIKE $q ESCAPE '\\' OR s.session_id LIKE $q ESCAPE '\\')");
            return;
        }
        sql.Append($"""
             AND s.session_id IN (SELECT d.session_id FROM session_search f CROSS JOIN session_search_docs d ON d.id = f.rowid
                 WHERE f.session_search MATCH $qPhrase AND {Documents(command, "f.rowid", status)})
            """);
        command.With("$qPhrase", phrase);
    }

    /// <summary>A project's documents span 2^40 ids from project × 2^40 (migration 160); those of its sessions with errors are the upper half (280).</summary>
    private const long ProjectIds = 1L << 40, ErrorIds = 1L << 39;

    /// <summary>
    /// The condition "rowid is a document of project $p in the status's half", binding its offsets. The rowid is never
    /// compared with a column: FTS5 applies the bounds while reading its doclists, which is what makes the status free.
    /// </summary>
    private static string Documents(SqliteCommand command, string rowid, SessionStatusFilter status)
    {
        var (from, to) = status switch
        {
            SessionStatusFilter.Error => (ErrorIds, ProjectIds),
            SessionStatusFilter.Ok => (0L, ErrorIds),
            _ => (0L, ProjectIds),
        };
        command.With("$qFrom", from).With("$qTo", to);
        return $"{rowid} >= $p * {ProjectIds} + $qFrom AND {rowid} < $p * {ProjectIds} + $qTo";
    }

    /// <summary>
    /// The FROM clause "matches, then their session rows" for a query on alias s whose q= is indexed (append the filter
    /// with TextAs.Joined): CROSS JOIN keeps SQLite from walking a sort index and probing the matches instead, which
    /// reads every session of the project when the matches are few.
    /// </summary>
    public static string JoinedFrom(SqliteCommand command, SessionFilter filter)
    {
        command.With("$qPhrase", Phrase(filter.Query!) ?? throw new ArgumentException("Only a text of three characters or more is in the index.", nameof(filter)));
        return $"""
            (SELECT d.session_id FROM session_search f CROSS JOIN session_search_docs d ON d.id = f.rowid
             WHERE f.session_search MATCH $qPhrase AND {Documents(command, "f.rowid", filter.Status)}) AS m
            CROSS JOIN sessions s ON s.project_id = $p AND s.session_id = m.session_id
            """;
    }

    /// <summary>
    /// How many sessions of the project with the status match the text, counted in the index alone; null below three characters.
    /// </summary>
    public static async Task<long?> CountAsync(SqliteConnection connection, long projectId, string text, SessionStatusFilter status, CancellationToken cancellationToken)
    {
        if (Phrase(text) is not { } phrase)
            return null;
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM session_search WHERE session_search MATCH $qPhrase AND {Documents(count, "rowid", status)}";
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
