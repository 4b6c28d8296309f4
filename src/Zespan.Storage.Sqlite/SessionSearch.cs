using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The q= condition: the text is a substring of the session's name or id, ASCII case-insensitive (SQLite's LIKE, with
/// % _ and \ matched literally). A text of three or more characters is answered by the trigram index (migration 160)
/// alone: the index holds lower() of each id and name with positions, so the phrase of the text's trigrams, lower()'d the
/// same way, matches exactly the LIKE matches, and a project's documents are one rowid range. A text of one or two
/// characters is answered by the gram index (migration 350, SessionGrams), which an indexer fills outside the writer:
/// its matches among the documents not pending, plus the pending documents (few) LIKE-tested — disjoint and exact at
/// every moment, since a pending document has no entry there; one character alone over the whole project is counted from
/// per-character counts instead (SessionGramCounts, migration 390). A text neither index can answer (char(1) in a short text)
/// is the LIKE test on every session row.
/// The sessions with errors have their documents in the upper half of the project's range (migration 280), and a half's
/// documents are ordered by start day (340), so status=error or status=ok is the phrase over one half and a time range the
/// phrase over the whole days' ranges (SessionSearchDays): the index alone answers q= with a status and whole days; the
/// days a time range cuts are tested row by row. Both indexes share the documents' ids, so this holds for both.
/// </summary>
internal static class SessionSearch
{
    /// <summary>
    /// The filter dimensions the index's count answers (q=, the status, and the start time, the days of which that the
    /// range cuts are tested row by row): SessionRowPlan counts such a filter without a row read per whole day's match.
    /// </summary>
    public const SessionDimensions Holds = SessionDimensions.Text | SessionDimensions.Status | SessionDimensions.Time;

    /// <summary>Whether an index can answer the text; else only the row test can.</summary>
    public static bool Indexed(string text) => IndexFor(text) is not null;

    /// <summary>Whether the text is answered by the gram index, whose pending documents are LIKE-tested.</summary>
    public static bool ByGrams(string text) => IndexFor(text) is { Lazy: true };

    /// <summary>
    /// The index that answers a text and what it is asked: the trigram phrase (three characters or more, kept by the
    /// writer's triggers) or the one gram (one or two, kept by SessionGramIndexer: Lazy, with pending documents).
    /// </summary>
    private sealed record Index(string Table, string Match, bool Lazy);

    private static Index? IndexFor(string text) =>
        Phrase(text) is { } phrase ? new("session_search", phrase, false)
        : SessionGrams.Token(text) is { } gram ? new("session_grams", gram, true)
        : null;

    /// <summary>
    /// Appends the condition on alias s; every session query binds its project as $p (s.project_id = $p). As candidates,
    /// the matching sessions come from the index (few matches: one index read each), only from the status half and days
    /// the filter can match (SessionSearchDays); as a row test, the row's own name and id are LIKE-tested (a walk along a
    /// sort index that stops after a page, when matches are many).
    /// </summary>
    public static void Append(StringBuilder sql, SqliteCommand command, SessionFilter filter, bool asRowTest = false)
    {
        var text = filter.Query!;
        if (asRowTest || IndexFor(text) is not { } index)
        {
            command.With("$q", LikePattern(text));
            sql.Append($" AND {Like("s", "$q")}");
            return;
        }
        sql.Append($" AND s.session_id IN ({Matches(command, text, index, SessionSearchDays.Of(filter))})");
    }

    /// <summary>The LIKE pattern of a text: anywhere in the value, with LIKE's metacharacters and the escape matched literally.</summary>
    internal static string LikePattern(string text) => "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>The LIKE test of the row on alias a (a NULL name is no match).</summary>
    internal static string Like(string alias, string pattern) => $"({alias}.name LIKE {pattern} ESCAPE '\\' OR {alias}.session_id LIKE {pattern} ESCAPE '\\')";

    /// <summary>
    /// The pending documents of the gram index in range i (relative to project $p), with the session rows that are still
    /// theirs: what a lazy index's answer adds, LIKE-tested with $qLike. A pending id with no document (deleted or moved
    /// away since) joins nothing.
    /// </summary>
    private static string Pending(string columns, int i) => $"""
        SELECT {columns} FROM session_grams_pending g CROSS JOIN session_search_docs d ON d.id = g.id
        CROSS JOIN sessions t ON t.project_id = $p AND t.session_id = d.session_id
        WHERE {InRange("g.id", i)} AND {Like("t", "$qLike")}
        """;

    /// <summary>
    /// The session ids (or, with <paramref name="ids"/>, the document ids, as m.id) of the documents matching the text in
    /// the ranges (relative to project $p): one SELECT per range, joined by UNION ALL, binding the ranges' offsets, the
    /// match and its LIKE pattern ($qLike). The rowid is never compared with a column: FTS5 applies each range while
    /// reading its doclists, which is what makes the status and the whole days free. From the gram index, each range's
    /// pending documents are added, LIKE-tested.
    /// </summary>
    private static string Matches(SqliteCommand command, string text, Index index, IEnumerable<SessionSearchDays.Range> ranges, bool ids = false)
    {
        command.With("$qMatch", index.Match);
        var bound = ranges.ToList();
        // The LIKE pattern only where a statement reads it (the raw binder refuses a parameter the SQL lacks): the lazy
        // index's pending part, and the figures' pending part that SessionSearchFacts adds beside the ids.
        BindRanges(command, text, bound, like: index.Lazy || ids);
        return string.Join(" UNION ALL ", bound.Select((range, i) =>
        {
            var indexed = ids
                ? $"SELECT f.rowid AS id FROM {index.Table} f WHERE f.{index.Table} MATCH $qMatch AND {InRange("f.rowid", i)}"
                : $"SELECT d.session_id FROM {index.Table} f CROSS JOIN session_search_docs d ON d.id = f.rowid WHERE f.{index.Table} MATCH $qMatch AND {InRange("f.rowid", i)}";
            return index.Lazy ? $"{indexed} UNION ALL {Pending(ids ? "g.id" : "d.session_id", i)}" : indexed;
        }));
    }

    /// <summary>
    /// The ids (m.id) of the documents matching an indexed text in the filter's ranges (SessionSearchDays), and how many
    /// ranges there are; binds the ranges' offsets as InRange(…, i) reads them, and the LIKE pattern as $qLike.
    /// </summary>
    public static (string Ids, int Ranges) MatchingIds(SqliteCommand command, SessionFilter filter)
    {
        var index = IndexFor(filter.Query!) ?? throw new ArgumentException("The text is in no index.", nameof(filter));
        var ranges = SessionSearchDays.Of(filter);
        return (Matches(command, filter.Query!, index, ranges, ids: true), ranges.Count);
    }

    /// <summary>The LIKE test of q= on the session row of alias a, with the pattern MatchingIds bound as $qLike.</summary>
    public static string LikeMatches(string alias) => Like(alias, "$qLike");

    /// <summary>
    /// Binds the ranges' offsets as InRange(…, i) reads them ($qFrom{i}, $qTo{i}) and, with <paramref name="like"/>, the
    /// text's LIKE pattern as LikeMatches reads it ($qLike): what every statement over a text's matches in ranges binds.
    /// </summary>
    internal static void BindRanges(SqliteCommand command, string text, IReadOnlyList<SessionSearchDays.Range> ranges, bool like = true)
    {
        if (like)
            command.With("$qLike", LikePattern(text));
        for (var i = 0; i < ranges.Count; i++)
            command.With($"$qFrom{i}", ranges[i].From).With($"$qTo{i}", ranges[i].To);
    }

    public static string InRange(string rowid, int i) =>
        $"{rowid} >= $p * {SessionSearchDays.ProjectIds} + $qFrom{i} AND {rowid} < $p * {SessionSearchDays.ProjectIds} + $qTo{i}";

    /// <summary>
    /// The FROM clause "matches, then their session rows" for a query on alias s whose q= is indexed (append the filter
    /// with TextAs.Joined): CROSS JOIN keeps SQLite from walking a sort index and probing the matches instead, which
    /// reads every session of the project when the matches are few. cutDaysOnly: only the documents of the days the time
    /// range cuts (what a count adds to the whole days' count from the index).
    /// </summary>
    public static string JoinedFrom(SqliteCommand command, SessionFilter filter, bool cutDaysOnly = false)
    {
        var index = IndexFor(filter.Query!) ?? throw new ArgumentException("The text is in no index.", nameof(filter));
        var ranges = SessionSearchDays.Of(filter).Where(r => !cutDaysOnly || !r.Whole);
        return $"""
            ({Matches(command, filter.Query!, index, ranges)}) AS m
            CROSS JOIN sessions s ON s.project_id = $p AND s.session_id = m.session_id
            """;
    }

    /// <summary>
    /// How many documents of the project in the ranges (SessionSearchDays) match the text, counted in the index alone
    /// (plus, for the gram index, its pending documents in the ranges LIKE-tested); null when no index answers the text.
    /// One statement: the index and the pending documents are read in one snapshot.
    /// </summary>
    public static async Task<long?> CountAsync(SqliteConnection connection, long projectId, string text, IEnumerable<SessionSearchDays.Range> ranges, CancellationToken cancellationToken)
    {
        if (IndexFor(text) is not { } index)
            return null;
        var bound = ranges.ToList();
        // One character over the whole project (no status or time range): from the per-character counts (migration 390).
        if (index.Lazy && bound is [{ From: 0, To: SessionSearchDays.ProjectIds }]
            && await SessionGramCounts.CountAsync(connection, projectId, text, LikePattern(text), Pending("count(*)", 0),
                command => BindRanges(command, text, bound, like: false), cancellationToken) is { } counted)
            return counted;
        await using var count = connection.CreateCommand();
        var counts = bound.Select((_, i) =>
        {
            var indexed = $"(SELECT count(*) FROM {index.Table} WHERE {index.Table} MATCH $qMatch AND {InRange("rowid", i)})";
            return index.Lazy ? $"{indexed} + ({Pending("count(*)", i)})" : indexed;
        }).ToList();
        if (counts.Count == 0)
            return 0;
        count.CommandText = $"SELECT {string.Join(" + ", counts)}";
        count.With("$p", projectId).With("$qMatch", index.Match);
        BindRanges(count, text, bound, like: index.Lazy);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Whether the project's pending gram documents (SessionGramIndexer's backlog) number at least <paramref name="many"/>,
    /// counting no further: then LIKE-testing them costs about what a scan of the sessions does.
    /// </summary>
    public static async Task<bool> ManyPendingAsync(SqliteConnection connection, long projectId, long many, CancellationToken cancellationToken)
    {
        await using var count = connection.Command($"""
            SELECT count(*) FROM (SELECT 1 FROM session_grams_pending
                                  WHERE id >= $p * {SessionSearchDays.ProjectIds} AND id < ($p + 1) * {SessionSearchDays.ProjectIds} LIMIT $many)
            """).With("$p", projectId).With("$many", many);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))! >= many;
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
