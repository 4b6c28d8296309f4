using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// q= beside a turns or active-time bound from session_search_bands or session_search_active_bands (migration 400): the
/// search documents' names and ids indexed again, each under a rowid that puts the figure's band (SessionFigureBands)
/// above its document id — project × 2^48 + band × 2^40 + the document's id within the project (SessionSearchDays: status
/// half, start day) — so the matches of a band are a rowid range, which FTS5 applies while reading its doclists, as it
/// does the status and the days. q=refund &amp; maxTurns=3 at 1 M sessions reads the 33 k matches of bands 0–3 only:
/// 7.3 ms against 24 ms for the same count with the band as a token ANDed in FTS5, and ~50 ms seeking all 84 k matches'
/// figures (load 5). Projects above <see cref="MaxProject"/> have no entries (their rowids would overflow): q= is read
/// as before there.
/// </summary>
internal static class SessionSearchBands
{
    private const long ProjectRowids = 1L << 48, BandRowids = SessionSearchDays.ProjectIds;

    /// <summary>The highest project id with entries: its rowids stay below 2^63 (136 bands of 2^40 fit in 2^48).</summary>
    public const long MaxProject = (1L << 15) - 1;

    /// <summary>
    /// A figure whose bands key an index: its FTS5 table, the column of session_search_band_entries recording the band an
    /// entry is under, and the session column (in a sort index, so its maximum is one seek).
    /// </summary>
    public sealed record Figure(string Table, string BandColumn, string Column);

    public static readonly Figure Turns = new("session_search_bands", "turns_band", "turns");
    public static readonly Figure ActiveTime = new("session_search_active_bands", "active_band", "active_ms");
    public static readonly IReadOnlyList<Figure> Figures = [Turns, ActiveTime];

    /// <summary>A filter's banded figure and the bands its bound covers whole (Inside) and touches (Touched).</summary>
    public sealed record Banded(Figure Figure, SessionFigureBands.Bands Inside, SessionFigureBands.Bands Touched);

    /// <summary>The rowid of a document's entry holding a band.</summary>
    public static long Rowid(long document, int band) =>
        document / SessionSearchDays.ProjectIds * ProjectRowids + band * BandRowids + document % SessionSearchDays.ProjectIds;

    /// <summary>
    /// The figure whose index q= beside the filter's bound is read from — the turns when bounded, else the active time —
    /// and its bands; null when there is no such bound, the text has no trigram or the project has no entries.
    /// </summary>
    public static Banded? For(SessionFilter filter, long projectId)
    {
        if (projectId is <= 0 or > MaxProject || SessionSearch.Phrase(filter.Query!) is null)
            return null;
        var (figure, min, max) = filter.MinTurns is not null || filter.MaxTurns is not null ? (Turns, filter.MinTurns, filter.MaxTurns)
            : filter.MinActiveMs is not null || filter.MaxActiveMs is not null ? (ActiveTime, filter.MinActiveMs, filter.MaxActiveMs)
            : (null, null, null);
        return figure is not null && SessionFigureBands.Of(min, max) is { Touched.IsEmpty: false } bands ? new(figure, bands.Inside, bands.Touched) : null;
    }

    /// <summary>
    /// A rowid range [From, To) of the index (relative to project × 2^48). Counted: every match in it meets the filter's
    /// turns, status and time (an inside band of a whole range), so it is counted in the index alone; else its matches are
    /// tested on their figures, and, for Anywhere (the bands above every session's figure, any day), on their document's
    /// range too.
    /// </summary>
    public readonly record struct Piece(long From, long To, bool Counted, bool Anywhere);

    /// <summary>
    /// The pieces of a filter: each touched band in each of the filter's document ranges, one piece per band span where
    /// the ranges are the whole project. With narrower ranges the bands are taken only up to that of the project's highest
    /// figure (<paramref name="highest"/>; a session that has more since is pending, and one indexed since is caught by
    /// the Anywhere piece over the bands above, normally empty), so a status or a time range costs a piece per band
    /// that holds sessions, not per band there is.
    /// </summary>
    public static IReadOnlyList<Piece> Pieces(Banded banded, IReadOnlyList<SessionSearchDays.Range> ranges, long highest)
    {
        var (inside, touched) = (banded.Inside, banded.Touched);
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
        var last = Math.Min(touched.To, SessionFigureBands.Of(highest));
        for (var band = touched.From; band <= last; band++)
            foreach (var range in ranges)
                pieces.Add(new(band * BandRowids + range.From, band * BandRowids + range.To, range.Whole && band >= inside.From && band <= inside.To, false));
        if (last < touched.To)
            pieces.Add(new((last + 1) * BandRowids, (touched.To + 1) * BandRowids, false, true));
        return pieces;
    }

    /// <summary>
    /// What one request reads from a banded index, worked out once (SessionSearchPlan) and passed to its count, its page
    /// and the turns walk: the figure and its bands, the filter's ranges and their pieces. Exact for a page read after the
    /// count: a session indexed since under a band above the project's highest figure read here is in the Anywhere piece.
    /// </summary>
    public sealed record Reading(Banded Banded, IReadOnlyList<SessionSearchDays.Range> Ranges, IReadOnlyList<Piece> Pieces);

    /// <summary>
    /// The reading of q= beside the filter's turns or active-time bound (one seek for the project's highest figure); null
    /// when the bands do not hold the filter (For) or it would take more than <see cref="MostPieces"/> pieces.
    /// </summary>
    public static Reading? Read(SqliteConnection connection, long projectId, SessionFilter filter)
    {
        if (For(filter, projectId) is not { } banded)
            return null;
        var ranges = SessionSearchDays.Of(filter);
        var pieces = Pieces(banded, ranges, Highest(connection, projectId, banded.Figure));
        return pieces.Count > MostPieces ? null : new(banded, ranges, pieces);
    }

    /// <summary>
    /// The most pieces a statement reads here. Each piece is an FTS5 query of its own, and its set-up (the phrase's
    /// doclists sought) costs ~0.3 ms: q=refund &amp; last 7 days &amp; minTurns=10 made 114 pieces, 36 ms for the count
    /// against ~20 ms reading the matches' figures (load 15). Beyond this, q= is read without the bands.
    /// </summary>
    public const int MostPieces = 8;

    /// <summary>The project's highest value of the figure (sessions_by_turns, sessions_by_active): where its bands stop holding sessions.</summary>
    private static long Highest(SqliteConnection connection, long projectId, Figure figure)
    {
        using var max = connection.Command($"SELECT coalesce(max({figure.Column}), 0) FROM sessions WHERE project_id = $p").With("$p", projectId);
        return (long)max.ExecuteScalar()!;
    }

    /// <summary>
    /// Binds what Ids and Count read: the text's phrase ($bMatch), its LIKE pattern and the filter's ranges as InRange(…, i)
    /// reads them (SessionSearch.BindRanges: an Anywhere piece tests them, and so does the caller's part of the pending
    /// documents), and each piece's bounds.
    /// </summary>
    public static void Bind(SqliteCommand command, SessionFilter filter, Reading reading)
    {
        command.With("$bMatch", SessionSearch.Phrase(filter.Query!));
        SessionSearch.BindRanges(command, filter.Query!, reading.Ranges);
        for (var k = 0; k < reading.Pieces.Count; k++)
            command.With($"$bFrom{k}", reading.Pieces[k].From).With($"$bTo{k}", reading.Pieces[k].To);
    }

    /// <summary>One SELECT of the document ids (as id) whose entries match the text in each chosen piece, joined by UNION ALL.</summary>
    public static string Ids(Figure figure, IReadOnlyList<SessionSearchDays.Range> ranges, IReadOnlyList<Piece> pieces, Func<Piece, bool> chosen) =>
        string.Join(" UNION ALL ", pieces.Select((piece, k) => (piece, k)).Where(p => chosen(p.piece)).Select(p =>
        {
            var sql = $"SELECT $p * {SessionSearchDays.ProjectIds} + f.rowid % {BandRowids} AS id FROM {figure.Table} f WHERE f.{figure.Table} MATCH $bMatch AND {InPiece("f.rowid", p.k)}";
            return p.piece.Anywhere
                ? $"SELECT id FROM ({sql}) WHERE {string.Join(" OR ", ranges.Select((_, i) => SessionSearch.InRange("id", i)))}"
                : sql;
        }));

    /// <summary>The count of the matches in piece k, in the index alone.</summary>
    public static string Count(Figure figure, int k) =>
        $"(SELECT count(*) FROM {figure.Table} WHERE {figure.Table} MATCH $bMatch AND {InPiece("rowid", k)})";

    private static string InPiece(string rowid, int k) =>
        $"{rowid} >= $p * {ProjectRowids} + $bFrom{k} AND {rowid} < $p * {ProjectRowids} + $bTo{k}";
}
