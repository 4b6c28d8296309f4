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
/// The sessions with errors have their documents in the upper half of the project's range (migration 280), and a half's
/// documents are ordered by start day (340), so status=error or status=ok is the phrase over one half and a time range the
/// phrase over the whole days' ranges (SessionSearchDays): the index alone answers q= with a status and whole days; the
/// days a time range cuts are tested row by row.
/// </summary>
internal static class SessionSearch
{
    /// <summary>
    /// The filter dimensions the index's count answers (q=, the status, and the start time, the days of which that the
    /// range cuts are tested row by row): SessionRowPlan counts such a filter without a row read per whole day's match.
    /// </summary>
    public const SessionDimensions Holds = SessionDimensions.Text | SessionDimensions.Status | SessionDimensions.Time;

    /// <summary>Whether the index can answer the text (three characters or more); else only the row test can.</summary>
    public static bool Indexed(string text) => Phrase(text) is not null;

    /// <summary>
    /// Appends the condition on alias s; every session query binds its project as $p (s.project_id = $p). As candidates,
    /// the matching sessions come from the index (few matches: one index read each), only from the status half and days
    /// the filter can match (SessionSearchDays); as a row test, the row's own name and id are LIKE-tested (a walk along a
    /// sort index that stops after a page, when matches are many).
    /// </summary>
    public static void Append(StringBuilder sql, SqliteCommand command, SessionFilter filter, bool asRowTest = false)
    {
        var text = filter.Query!;
        if (asRowTest || Phrase(text) is not { } phrase)
        {
            command.With("$q", "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
            sql.Append(" AND (s.name LIKE $q ESCAPE '\\' OR s.session_id LIKE $q ESCAPE '\\')");
            return;
        }
        sql.Append($" AND s.session_id IN ({Matches(command, SessionSearchDays.Of(filter))})");
        command.With("$qPhrase", phrase);
    }

    /// <summary>
    /// The session ids of the documents matching $qPhrase in the ranges (relative to project $p): one SELECT per range,
    /// joined by UNION ALL, binding the ranges' offsets. The rowid is never compared with a column: FTS5 applies each
    /// range while reading its doclists, which is what makes the status and the whole days free.
    /// </summary>
    private static string Matches(SqliteCommand command, IEnumerable<SessionSearchDays.Range> ranges) => string.Join(" UNION ALL ", ranges.Select((range, i) =>
    {
        command.With($"$qFrom{i}", range.From).With($"$qTo{i}", range.To);
        return $"SELECT d.session_id FROM session_search f CROSS JOIN session_search_docs d ON d.id = f.rowid WHERE f.session_search MATCH $qPhrase AND {InRange("f.rowid", i)}";
    }));

    private static string InRange(string rowid, int i) =>
        $"{rowid} >= $p * {SessionSearchDays.ProjectIds} + $qFrom{i} AND {rowid} < $p * {SessionSearchDays.ProjectIds} + $qTo{i}";

    /// <summary>
    /// The FROM clause "matches, then their session rows" for a query on alias s whose q= is indexed (append the filter
    /// with TextAs.Joined): CROSS JOIN keeps SQLite from walking a sort index and probing the matches instead, which
    /// reads every session of the project when the matches are few. cutDaysOnly: only the documents of the days the time
    /// range cuts (what a count adds to the whole days' count from the index).
    /// </summary>
    public static string JoinedFrom(SqliteCommand command, SessionFilter filter, bool cutDaysOnly = false)
    {
        command.With("$qPhrase", Phrase(filter.Query!) ?? throw new ArgumentException("Only a text of three characters or more is in the index.", nameof(filter)));
        var ranges = SessionSearchDays.Of(filter).Where(r => !cutDaysOnly || !r.Whole);
        return $"""
            ({Matches(command, ranges)}) AS m
            CROSS JOIN sessions s ON s.project_id = $p AND s.session_id = m.session_id
            """;
    }

    /// <summary>
    /// How many documents of the project in the ranges (SessionSearchDays) match the text, counted in the index alone;
    /// null below three characters.
    /// </summary>
    public static async Task<long?> CountAsync(SqliteConnection connection, long projectId, string text, IEnumerable<SessionSearchDays.Range> ranges, CancellationToken cancellationToken)
    {
        if (Phrase(text) is not { } phrase)
            return null;
        await using var count = connection.CreateCommand();
        var counts = ranges.Select((range, i) =>
        {
            count.With($"$qFrom{i}", range.From).With($"$qTo{i}", range.To);
            return $"(SELECT count(*) FROM session_search WHERE session_search MATCH $qPhrase AND {InRange("rowid", i)})";
        }).ToList();
        if (counts.Count == 0)
            return 0;
        count.CommandText = $"SELECT {string.Join(" + ", counts)}";
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
