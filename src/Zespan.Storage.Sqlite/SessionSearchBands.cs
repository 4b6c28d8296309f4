using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// q= beside a turns bound from session_search_bands (migration 400): the search documents' names and ids indexed again,
/// each under a rowid that puts its turns band (SessionTurnBands) above its document id — project × 2^48 + band × 2^40 +
/// the document's id within the project (SessionSearchDays: status half, start day) — so the matches of a band are a
/// rowid range, which FTS5 applies while reading its doclists, as it does the status and the days. q=refund &amp;
/// maxTurns=3 at 1 M sessions reads the 33 k matches of bands 0–3 only: 7.3 ms against 24 ms for the same count with
/// the band as a token ANDed in FTS5, and ~50 ms seeking all 84 k matches' figures (load 5).
/// Projects above <see cref="MaxProject"/> have no entries (their rowids would overflow): q= is read as before there.
/// </summary>
internal static class SessionSearchBands
{
    private const long ProjectRowids = 1L << 48, BandRowids = SessionSearchDays.ProjectIds;

    /// <summary>The highest project id with entries: its rowids stay below 2^63 (136 bands of 2^40 fit in 2^48).</summary>
    public const long MaxProject = (1L << 15) - 1;

    /// <summary>The rowid of a document's entry holding a band.</summary>
    public static long Rowid(long document, int band) =>
        document / SessionSearchDays.ProjectIds * ProjectRowids + band * BandRowids + document % SessionSearchDays.ProjectIds;

    /// <summary>The bands a filter's turns bound touches, when q= beside it can be read here; else null.</summary>
    public static (SessionTurnBands.Bands Inside, SessionTurnBands.Bands Touched)? For(SessionFilter filter, long projectId) =>
        projectId is > 0 and <= MaxProject && (filter.MinTurns is not null || filter.MaxTurns is not null)
        && SessionSearch.Phrase(filter.Query!) is not null
        && SessionTurnBands.Of(filter.MinTurns, filter.MaxTurns) is { Touched.IsEmpty: false } bands
            ? bands : null;

    /// <summary>
    /// A rowid range [From, To) of the index (relative to project × 2^48). Counted: every match in it meets the filter's
    /// turns, status and time (an inside band of a whole range), so it is counted in the index alone; else its matches are
    /// tested on their figures, and, for Anywhere (the bands above every session's turns, any day), on their document's
    /// range too.
    /// </summary>
    public readonly record struct Piece(long From, long To, bool Counted, bool Anywhere);

    /// <summary>
    /// The pieces of a filter: each touched band in each of the filter's document ranges, one piece per band span where
    /// the ranges are the whole project. With narrower ranges the bands are taken only up to that of the project's most
    /// turns (<paramref name="maxTurns"/>; a session that has more since is pending, and one indexed since is caught by
    /// the Anywhere piece over the bands above, normally empty), so a status or a time range costs a piece per band
    /// that holds sessions, not per band there is.
    /// </summary>
    public static IReadOnlyList<Piece> Pieces(SessionTurnBands.Bands inside, SessionTurnBands.Bands touched, IReadOnlyList<SessionSearchDays.Range> ranges, long maxTurns)
    {
        var pieces = new List<Piece>();
        if (ranges is [{ From: 0, To: SessionSearchDays.ProjectIds }])
        {
            if (!inside.IsEmpty)
                pieces.Add(new(inside.From * BandRowids, (inside.To + 1) * BandRowids, true, false));
            for (var band = touched.From; band <= touched.To; band++)
                if (band < inside.From || band > inside.To)
                    pieces.Add(new(band * BandRowids, (band + 1) * BandRowids, false, false));
            return pieces;
        }
        var last = Math.Min(touched.To, SessionTurnBands.Of(maxTurns));
        for (var band = touched.From; band <= last; band++)
            foreach (var range in ranges)
                pieces.Add(new(band * BandRowids + range.From, band * BandRowids + range.To, range.Whole && band >= inside.From && band <= inside.To, false));
        if (last < touched.To)
            pieces.Add(new((last + 1) * BandRowids, (touched.To + 1) * BandRowids, false, true));
        return pieces;
    }

    /// <summary>
    /// The most pieces a statement reads here. Each piece is an FTS5 query of its own, and its set-up (the phrase's
    /// doclists sought) costs ~0.3 ms: q=refund &amp; last 7 days &amp; minTurns=10 made 114 pieces, 36 ms for the count
    /// against ~20 ms reading the matches' figures (load 15). Beyond this, q= is read without the bands.
    /// </summary>
    public const int MostPieces = 8;

    /// <summary>The project's most turns (sessions_by_turns): where a filter's bands stop holding sessions.</summary>
    public static long MaxTurns(SqliteConnection connection, long projectId)
    {
        using var max = connection.Command("SELECT coalesce(max(turns), 0) FROM sessions WHERE project_id = $p").With("$p", projectId);
        return (long)max.ExecuteScalar()!;
    }

    /// <summary>
    /// Binds what Ids and Count read: the text's phrase ($bMatch) and LIKE pattern ($qLike), each piece's bounds, and the
    /// filter's ranges as InRange(…, i) reads them (an Anywhere piece tests them, and so does the caller's part of the
    /// pending documents).
    /// </summary>
    public static void Bind(SqliteCommand command, SessionFilter filter, IReadOnlyList<SessionSearchDays.Range> ranges, IReadOnlyList<Piece> pieces)
    {
        command.With("$bMatch", SessionSearch.Phrase(filter.Query!)).With("$qLike", SessionSearch.LikePattern(filter.Query!));
        for (var i = 0; i < ranges.Count; i++)
            command.With($"$qFrom{i}", ranges[i].From).With($"$qTo{i}", ranges[i].To);
        for (var k = 0; k < pieces.Count; k++)
            command.With($"$bFrom{k}", pieces[k].From).With($"$bTo{k}", pieces[k].To);
    }

    /// <summary>One SELECT of the document ids (as id) whose entries match the text in each chosen piece, joined by UNION ALL.</summary>
    public static string Ids(IReadOnlyList<SessionSearchDays.Range> ranges, IReadOnlyList<Piece> pieces, Func<Piece, bool> chosen) =>
        string.Join(" UNION ALL ", pieces.Select((piece, k) => (piece, k)).Where(p => chosen(p.piece)).Select(p =>
        {
            var sql = $"SELECT $p * {SessionSearchDays.ProjectIds} + f.rowid % {BandRowids} AS id FROM session_search_bands f WHERE f.session_search_bands MATCH $bMatch AND {InPiece("f.rowid", p.k)}";
            return p.piece.Anywhere
                ? $"SELECT id FROM ({sql}) WHERE {string.Join(" OR ", ranges.Select((_, i) => SessionSearch.InRange("id", i)))}"
                : sql;
        }));

    /// <summary>The count of the matches in piece k, in the index alone.</summary>
    public static string Count(int k) =>
        $"(SELECT count(*) FROM session_search_bands WHERE session_search_bands MATCH $bMatch AND {InPiece("rowid", k)})";

    private static string InPiece(string rowid, int k) =>
        $"{rowid} >= $p * {ProjectRowids} + $bFrom{k} AND {rowid} < $p * {ProjectRowids} + $bTo{k}";
}
