namespace Zespan.Core;

/// <summary>
/// Splits a start-time range [from, to) into whole UTC hours, answered from an hourly rollup, and the partial hours at
/// either end, answered exactly from the raw rows: every store's hourly figures split ranges this way. Open ends stay
/// open: no from = since the beginning.
/// </summary>
public readonly record struct HourRange(long? WholeFromMs, long? WholeToMs, IReadOnlyList<(long? FromMs, long? ToMs)> Edges)
{
    public const long HourMs = 3_600_000;

    /// <summary>True when no whole hour lies inside the range (then the edges cover all of it).</summary>
    public bool HasWholeHours => WholeFromMs is not { } f || WholeToMs is not { } t || f < t;

    public static long Floor(long ms) => ms - (((ms % HourMs) + HourMs) % HourMs);

    public static long Ceiling(long ms) => Floor(ms) == ms ? ms : Floor(ms) + HourMs;

    public static HourRange Split(long? fromMs, long? toMs)
    {
        var wholeFrom = fromMs is { } f ? Ceiling(f) : (long?)null;
        var wholeTo = toMs is { } t ? Floor(t) : (long?)null;
        if (wholeFrom is { } wf && wholeTo is { } wt && wf >= wt)
            return new HourRange(wf, wf, fromMs < toMs ? [(fromMs, toMs)] : []); // within one or two hours: all edge
        var edges = new List<(long?, long?)>(2);
        if (fromMs is { } from && wholeFrom != from)
            edges.Add((from, wholeFrom));
        if (toMs is { } to && wholeTo != to)
            edges.Add((wholeTo, to));
        return new HourRange(wholeFrom, wholeTo, edges);
    }
}
