namespace Zespan.Core.Sessions.Trends;

/// <summary>
/// The sessions that started in one bucket. Cost figures are over the priced sessions (at least one priced call), as in
/// <see cref="SessionStats"/>: mean = cost / priced sessions, median and p95 as <see cref="Percentiles"/> defines them;
/// null when the bucket has no priced session. A session with no priced call counts in UnpricedSessions, never as $0.
/// </summary>
public sealed record SessionBucket(
    long StartMs, long Sessions, long PricedSessions, Int128 CostPico, double? MeanCostPico, Int128? MedianCostPico, Int128? P95CostPico,
    long Turns, double? MeanTurns, long? P95Turns, long SessionsWithErrors)
{
    public long UnpricedSessions => Sessions - PricedSessions;

    /// <summary>Sessions started and none priced: the cost is unknown, not $0.</summary>
    public bool CostUnknown => Sessions > 0 && PricedSessions == 0;

    /// <summary>Share of the bucket's sessions with at least one failed call; null for an empty bucket.</summary>
    public double? ErrorShare => Sessions == 0 ? null : (double)SessionsWithErrors / Sessions;
}

/// <summary>One kind of conversation's buckets (every bucket of the range, empty ones included).</summary>
public sealed record SessionSeries(string? Kind, long Sessions, IReadOnlyList<SessionBucket> Buckets);

/// <summary>Session-grain trends over a range: one series per kind (one for the whole project without a grouping).</summary>
public sealed record SessionTimeseries(TimeBuckets Buckets, SessionGrouping? By, IReadOnlyList<SessionSeries> Series, int OmittedKinds);
