using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// q= beside turns or active time, counted and paged from the matches' figures in session_search_facts (migration 360)
/// instead of their session rows. Why: at 1 M sessions q=refund & minTurns=10 looked up each of 84 k matches in sessions
/// (~2.6 µs each, ~223 ms); a facts row is one seek by the document id the search index returns (~0.3 µs).
/// The figures are copied by SessionGramIndexer outside the writer; a document whose session changed since is pending
/// and has no row (the migration's invariant), so the answer is the matches joined with their rows plus the pending
/// documents' session rows LIKE-tested — exact at every moment, however far behind the indexer is. Status and whole
/// days come from the documents' id ranges, as for q= alone (SessionSearchDays); the start is tested too (a cut day).
/// </summary>
internal static class SessionSearchFacts
{
    /// <summary>The filter dimensions answered here: q= (an indexed text), status, time, turns and active time; no user.</summary>
    public const SessionDimensions Holds = SessionSearch.Holds | SessionDimensions.MinTurns | SessionDimensions.MaxTurns | SessionDimensions.ActiveTime;

    /// <summary>The sort orders whose keys are figures here (the page is then read from them, keys first).</summary>
    public static bool Orders(SessionSort sort) => sort is SessionSort.StartedAt or SessionSort.CostUsd or SessionSort.Turns or SessionSort.ActiveDurationMs;

    /// <summary>The figures of the row of alias a, in the order of the FROM clause's columns.</summary>
    private static string Figures(string a) => $"{a}.turns, {a}.active_ms, {a}.started_ms, {a}.unpriced_calls, {a}.cost_high, {a}.cost_pico";

    /// <summary>
    /// The FROM clause of a query on alias s over the matching documents' figures (columns project_id, session_id and
    /// Figures) that meet the filter: the matches' rows in session_search_facts, then the pending documents' session rows
    /// LIKE-tested, in the same ranges. The filter is tested inside each part (SQLite does not push it into a UNION ALL
    /// here); do not append it again. A match's session id is its figures row's (migration 380), not its document row's:
    /// the page's order breaks ties by it, and reading the documents too for every passing match tripled the page's CPU.
    /// bands: the filter's banded reading (SessionSearchBands.Read), as the count read it; null reads every match.
    /// </summary>
    public static string From(SqliteCommand command, long projectId, SessionFilter filter, SessionSearchBands.Reading? bands)
    {
        var (ids, ranges) = MatchingIds(command, filter, bands);
        var conditions = Conditions(command, filter);
        return $"""
            (SELECT $p AS project_id, s.session_id, {Figures("s")}
             FROM ({ids}) AS m CROSS JOIN session_search_facts s ON s.id = m.id
             WHERE {conditions}
             UNION ALL
             SELECT s.project_id, s.session_id, {Figures("s")} {Pending(ranges)} AND {conditions}) AS s
            """;
    }

    /// <summary>
    /// The ids (m.id) of the documents matching q= in the filter's ranges, and how many ranges there are. With a turns
    /// bound beside a q= of three characters or more (a banded reading, <paramref name="bands"/>), from
    /// session_search_bands (migration 400, SessionSearchBands): only the matches of the bands the bound touches (33 k of
    /// 84 k for q=refund &amp; maxTurns=3 at 1 M sessions). Exact once joined with session_search_facts: a document that
    /// is not pending has its entry under its current band; an entry of a pending document (its band may be old) has no
    /// figures row to join.
    /// </summary>
    private static (string Ids, int Ranges) MatchingIds(SqliteCommand command, SessionFilter filter, SessionSearchBands.Reading? bands)
    {
        if (bands is null)
            return SessionSearch.MatchingIds(command, filter);
        SessionSearchBands.Bind(command, filter, bands);
        return (SessionSearchBands.Ids(bands.Banded.Figure, bands.Ranges, bands.Pieces, _ => true), bands.Ranges.Count);
    }

    /// <summary>The filter dimensions a count inside a banded index answers: q=, status, time, and its own figure.</summary>
    private static SessionDimensions CountedInBands(SessionSearchBands.Figure figure) => SessionSearch.Holds
        | (figure == SessionSearchBands.Turns ? SessionDimensions.MinTurns | SessionDimensions.MaxTurns : SessionDimensions.ActiveTime);

    /// <summary>
    /// The exact count of a q= of three characters or more beside a turns bound (and a status and time range), counted
    /// mostly inside session_search_bands (migration 400): the matches of the bands the bound covers whole in the whole
    /// days of the range are counted in the index alone (q=refund &amp; maxTurns=3 at 1 M sessions: 7.3 ms against ~50 ms
    /// seeking the 84 k matches' figures, load 5); those of a band it cuts or a day the range cuts are tested on their
    /// figures. The index's entries of pending documents may hold an old band: those it counted alone (their recorded
    /// band, session_search_band_entries, is counted there; their name and id, which a rename takes out, match) are
    /// subtracted, and every pending document is LIKE-tested and tested on its session row instead. Null when the
    /// filter is not of that kind (no banded reading <paramref name="bands"/>, or another dimension beside it).
    /// </summary>
    public static async Task<long?> CountInBandsAsync(SqliteConnection connection, long projectId, SessionFilter filter, SessionSearchBands.Reading? bands,
        CancellationToken cancellationToken)
    {
        if (bands is not { Banded: var banded, Ranges: var ranges, Pieces: var pieces } || !CountedInBands(banded.Figure).Supports(filter) || ranges.Count == 0)
            return null;
        await using var count = connection.CreateCommand();
        count.With("$p", projectId);
        SessionSearchBands.Bind(count, filter, bands);
        var conditions = Conditions(count, filter);
        var inIndex = Enumerable.Range(0, pieces.Count).Where(k => pieces[k].Counted).Select(k => SessionSearchBands.Count(banded.Figure, k)).DefaultIfEmpty("0");
        var tested = SessionSearchBands.Ids(banded.Figure, ranges, pieces, piece => !piece.Counted);
        // The pending documents whose entries the counted pieces hold: the counted bands in the whole ranges.
        var counted = pieces.Where(p => p.Counted).ToList();
        count.With("$bLow", counted.Count == 0 ? -1 : counted.Min(p => p.From / SessionSearchDays.ProjectIds))
            .With("$bHigh", counted.Count == 0 ? -1 : counted.Max(p => (p.To - 1) / SessionSearchDays.ProjectIds));
        var inWhole = string.Join(" OR ", Enumerable.Range(0, ranges.Count).Where(i => ranges[i].Whole).Select(i => SessionSearch.InRange("p.id", i)).DefaultIfEmpty("0"));
        count.CommandText = $"""
            SELECT {string.Join(" + ", inIndex)}
                 {(tested.Length == 0 ? "" : $"+ (SELECT count(*) FROM ({tested}) AS m CROSS JOIN session_search_filters s ON s.id = m.id WHERE {conditions})")}
                 - (SELECT count(*) FROM session_search_facts_pending p CROSS JOIN session_search_band_entries e ON e.id = p.id
                    CROSS JOIN session_search_docs d ON d.id = p.id CROSS JOIN sessions s ON s.project_id = $p AND s.session_id = d.session_id
                    WHERE ({inWhole}) AND e.{banded.Figure.BandColumn} BETWEEN $bLow AND $bHigh AND {SessionSearch.LikeMatches("s")})
                 + (SELECT count(*) {Pending(ranges.Count)} AND {conditions})
            """;
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The filter's turns, active time and start as one condition on alias s, bound once (it is used twice).</summary>
    internal static string Conditions(SqliteCommand command, SessionFilter filter)
    {
        var conditions = new StringBuilder("(1");
        SessionSql.AppendFilter(conditions, command, filter, TextAs.Facts);
        return conditions.Append(')').ToString();
    }

    /// <summary>The pending documents of the ranges whose session rows (alias s) match the text.</summary>
    internal static string Pending(int ranges) => $"""
        FROM session_search_facts_pending p CROSS JOIN session_search_docs d ON d.id = p.id
        CROSS JOIN sessions s ON s.project_id = $p AND s.session_id = d.session_id
        WHERE ({string.Join(" OR ", Enumerable.Range(0, ranges).Select(i => SessionSearch.InRange("p.id", i)))}) AND {SessionSearch.LikeMatches("s")}
        """;

    /// <summary>
    /// The exact count of the sessions matching the filter, and of those matching its q=, status and time range alone
    /// (what reading the matches costs), in one pass over the matches. No document row is read for the count. With a sort
    /// the figures hold, also the document id of the matching figures row that comes first in that order (First; the cost
    /// order's two keys compared as one approximate number, ties unordered): where a walk along the sort index would
    /// meet its first match (SessionSearchPlan). A hint for the plan only, never part of an answer. The matches' rows are
    /// read from the narrow session_search_filters (migration 380) unless the hint needs the cost order's keys.
    /// </summary>
    public static async Task<(long Matching, long Matches, long? First)> CountAsync(SqliteConnection connection, long projectId, SessionFilter filter,
        SessionSearchBands.Reading? bands, SessionQuery? order, CancellationToken cancellationToken)
    {
        await using var count = connection.CreateCommand();
        count.With("$p", projectId);
        var (ids, ranges) = MatchingIds(count, filter, bands);
        var conditions = Conditions(count, filter);
        // One max() or min() in the aggregate: SQLite then reads the bare m.id from the row it came from. FILTER, not
        // a CASE inside it: the aggregate then steps only for passing matches (q=refund & minTurns=10 at 1 M sessions:
        // 59.7 -> 50.3 ms CPU for the count, load 6).
        var first = order is { } o && Orders(o.Sort)
            ? $", {(o.Descending ? "max" : "min")}({FirstKey(o.Sort)}) FILTER (WHERE {conditions}), m.id AS first"
            : ", NULL AS first";
        var figures = order is { Sort: SessionSort.CostUsd } ? "session_search_facts" : "session_search_filters";
        // Two plain aggregates: through a UNION ALL co-routine the same count took twice the CPU.
        count.CommandText = $"""
            SELECT f.n + g.n, f.matching + g.matching, f.first FROM
                (SELECT count(*) AS n, coalesce(sum({conditions}), 0) AS matching{first}
                 FROM ({ids}) AS m CROSS JOIN {figures} s ON s.id = m.id) AS f,
                (SELECT count(*) AS n, coalesce(sum({conditions}), 0) AS matching {Pending(ranges)}) AS g
            """;
        await using var reader = await count.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(1), reader.GetInt64(0), reader.IsDBNull(2) ? null : reader.GetInt64(2));
    }

    /// <summary>The sort key of a figures row on alias s as one number (cost: unknown above every known cost, approximately).</summary>
    private static string FirstKey(SessionSort sort) => sort switch
    {
        SessionSort.StartedAt => "s.started_ms",
        SessionSort.Turns => "s.turns",
        SessionSort.ActiveDurationMs => "s.active_ms",
        SessionSort.CostUsd => "((s.unpriced_calls = s.turns) * 1e19 + (CASE WHEN s.cost_high = 0 THEN s.cost_pico ELSE 9223372036854775807 END))",
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    /// <summary>
    /// Whether the project's pending documents number at least <paramref name="many"/>, counting no further: then
    /// LIKE-testing their session rows costs about what looking up every match does.
    /// </summary>
    public static async Task<bool> ManyPendingAsync(SqliteConnection connection, long projectId, long many, CancellationToken cancellationToken)
    {
        await using var count = connection.Command($"""
            SELECT count(*) FROM (SELECT 1 FROM session_search_facts_pending
                                  WHERE id >= $p * {SessionSearchDays.ProjectIds} AND id < ($p + 1) * {SessionSearchDays.ProjectIds} LIMIT $many)
            """).With("$p", projectId).With("$many", many);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))! >= many;
    }
}
