using System.Text;
using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The q= condition: the text is a substring of the session's name or id, ASCII case-insensitive (SQLite's LIKE, with
/// % _ and \ matched literally). For a text of three or more characters the candidates come from the trigram index
/// (migration 100): every trigram of the text, folded as the index folds them, must occur in the session's id or name.
/// That is true of every LIKE match (the index folds at least ASCII case), so testing the candidates with the same LIKE
/// gives exactly the LIKE scan's answer. Shorter texts have no trigram and are answered by the LIKE scan itself.
/// </summary>
internal static class SessionSearch
{
    /// <summary>Appends the condition on alias s; every session query binds its project as $p (s.project_id = $p).</summary>
    public static void Append(StringBuilder sql, SqliteCommand command, string text)
    {
        command.With("$q", "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
        if (MatchExpression(text) is not { } match)
        {
            sql.Append(" AND (s.name LIKE $q ESCAPE '\\' OR s.session_id LIKE $q ESCAPE '\\')");
            return;
        }
        sql.Append("""
             AND s.session_id IN (SELECT d.session_id FROM session_search f CROSS JOIN session_search_docs d ON d.id = f.rowid
                 WHERE f.session_search MATCH $qTrigrams AND d.project_id = $p AND (d.name LIKE $q ESCAPE '\' OR d.session_id LIKE $q ESCAPE '\'))
            """);
        command.With("$qTrigrams", match);
    }

    /// <summary>Every distinct trigram of the text as a quoted FTS5 string, joined by AND; null below three characters.</summary>
    public static string? MatchExpression(string text)
    {
        // The tokenizer counts Unicode characters of the UTF-8 text; SQLite receives a lone surrogate as U+FFFD, as Rune does.
        var runes = text.EnumerateRunes().Select(r => r.ToString()).ToArray();
        if (runes.Length < 3)
            return null;
        var trigrams = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 3 <= runes.Length; i++)
            trigrams.Add(string.Concat(runes[i], runes[i + 1], runes[i + 2]));
        return string.Join(" AND ", trigrams.Select(t => "\"" + t.Replace("\"", "\"\"") + "\""));
    }
}
