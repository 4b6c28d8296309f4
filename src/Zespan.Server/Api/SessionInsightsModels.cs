using System.ComponentModel;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Spans;

namespace Zespan.Server.Api;

// JSON shapes of GET /sessions/anomalies and GET /sessions/timeseries. Money is dollars; unknown cost is null, never 0.

[Description("Anomalous sessions among the filtered ones, most extreme first, and the baselines they were judged against.")]
public sealed record AnomalyListResponse(
    [property: Description("Start of the baseline window (ISO 8601 UTC).")] string BaselineFrom,
    [property: Description("End of the baseline window, exclusive: the filter's \"to\", or now.")] string BaselineTo,
    [property: Description("The grouping: null (whole project), \"tag\" or \"metadata:<key>\".")] string? By,
    [property: Description("Sessions judged (those matching the filters).")] long SessionsJudged,
    [property: Description("Anomalous sessions in all; data holds at most \"limit\" of them.")] long AnomalousSessions,
    [property: Description("The rule's constants.")] AnomalyRuleItem Rule,
    [property: Description("The anomalous sessions, most extreme (highest ratio to the median) first.")] IReadOnlyList<AnomalyItem> Data,
    [property: Description("The baseline of every kind seen in the window, largest first.")] IReadOnlyList<KindBaselineItem> Baselines)
{
    public static AnomalyListResponse From(AnomalyReport r) => new(
        Timestamps.Format(r.BaselineFromMs), Timestamps.Format(r.BaselineToMs), SessionKinds.ByText(r.By), r.SessionsJudged, r.AnomalousSessions,
        AnomalyRuleItem.Current, r.Items.Select(AnomalyItem.From).ToList(), r.Baselines.Select(KindBaselineItem.From).ToList());
}

[Description("The anomaly rule: a figure is flagged when the kind has at least minBaselineSessions sessions, the figure is at least minRatio times the median, and (x - median) / (1.4826 × MAD) is at least minScore.")]
public sealed record AnomalyRuleItem(int MinBaselineSessions, double MinRatio, double MinScore)
{
    public static AnomalyRuleItem Current { get; } = new(AnomalyRule.MinBaselineSessions, AnomalyRule.MinRatio, AnomalyRule.MinScore);
}

[Description("An anomalous session, the kind it was judged in, the reason in words and every figure judged.")]
public sealed record AnomalyItem(
    SessionItem Session,
    [property: Description("The tag or metadata value it was judged in; null for the whole project or no tag/value.")] string? Kind,
    [property: Description("Why, in words, from the flagged figures.")] string Reason,
    IReadOnlyList<AnomalyFindingItem> Findings)
{
    public static AnomalyItem From(SessionAnomaly a) =>
        new(SessionItem.From(a.Session), a.Kind, a.Reason, a.Findings.Select(AnomalyFindingItem.From).ToList());
}

[Description("One figure of the session against its kind's baseline.")]
public sealed record AnomalyFindingItem(
    [property: Description("costUsd, turns or tokensPerTurn (costUsd is absent for a session with no priced call).")] string Metric,
    double Value, double Median, double Mad, double P99,
    [property: Description("Sessions in the baseline of this figure (priced sessions only, for cost).")] int BaselineSessions,
    [property: Description("(value - median) / (1.4826 × MAD); null when MAD is 0 and value is above the median (unbounded).")] double? Score,
    [property: Description("value / median; null when the median is 0.")] double? Ratio,
    bool Flagged)
{
    public static AnomalyFindingItem From(AnomalyFinding f)
    {
        var scale = f.Metric == AnomalyMetric.CostPerSession ? 1.0 / Money.PicoPerUsd : 1.0;
        return new(MetricName(f.Metric), f.Value * scale, f.Baseline.Median * scale, f.Baseline.Mad * scale, f.Baseline.P99 * scale,
            f.Baseline.Sessions, double.IsFinite(f.Score) ? f.Score : null, double.IsFinite(f.Ratio) ? f.Ratio : null, f.Flagged);
    }

    public static string MetricName(AnomalyMetric m) => m switch
    {
        AnomalyMetric.CostPerSession => "costUsd",
        AnomalyMetric.Turns => "turns",
        _ => "tokensPerTurn",
    };
}

[Description("The usual figures of one kind over the baseline window.")]
public sealed record KindBaselineItem(
    string? Kind, int Sessions,
    [property: Description("Sessions with no priced call: left out of the cost baseline, never counted as $0.")] int UnpricedSessions,
    BaselineItem CostUsd, BaselineItem Turns, BaselineItem TokensPerTurn)
{
    public static KindBaselineItem From(KindBaseline b) => new(b.Kind, b.Sessions, b.UnpricedSessions,
        BaselineItem.From(b.CostPico, 1.0 / Money.PicoPerUsd), BaselineItem.From(b.Turns, 1), BaselineItem.From(b.TokensPerTurn, 1));
}

[Description("Median, median absolute deviation and p99 (nearest rank) of one figure; null when the baseline is empty.")]
public sealed record BaselineItem(int Sessions, double? Median, double? Mad, double? P99)
{
    public static BaselineItem From(Baseline b, double scale) => b.Sessions == 0
        ? new(0, null, null, null)
        : new(b.Sessions, b.Median * scale, b.Mad * scale, b.P99 * scale);
}

[Description("Session-grain trends: per bucket of session start time and per kind of conversation.")]
public sealed record SessionTimeseriesResponse(
    [property: Description("Start of the first bucket (the requested \"from\" floored to the bucket).")] string From,
    [property: Description("End of the last bucket, exclusive.")] string To,
    [property: Description("hour, day or week (weeks start on Monday, UTC).")] string Bucket,
    string? By,
    [property: Description("Kinds left out beyond \"limit\" (the kinds with the most sessions are kept).")] int OmittedKinds,
    IReadOnlyList<SessionSeriesItem> Series)
{
    public static SessionTimeseriesResponse Of(SessionTimeseries t) => new(
        Timestamps.Format(t.Buckets.FromMs), Timestamps.Format(t.Buckets.ToMs), t.Buckets.Size.ToString().ToLowerInvariant(),
        SessionKinds.ByText(t.By), t.OmittedKinds, t.Series.Select(SessionSeriesItem.From).ToList());
}

[Description("One kind's buckets, every bucket of the range (empty ones included).")]
public sealed record SessionSeriesItem(
    [property: Description("The tag or metadata value; null for the whole project or sessions without one.")] string? Kind,
    long Sessions, IReadOnlyList<SessionBucketItem> Buckets)
{
    public static SessionSeriesItem From(SessionSeries s) => new(s.Kind, s.Sessions, s.Buckets.Select(SessionBucketItem.From).ToList());
}

[Description("The sessions that started in one bucket. Cost mean, median and p95 are over priced sessions, as in /sessions/stats; null when none is priced.")]
public sealed record SessionBucketItem(
    string StartedAt, long Sessions, long PricedSessions,
    [property: Description("Sessions none of whose calls could be priced: their cost is unknown, not $0.")] long UnpricedSessions,
    [property: Description("Sum of the sessions' costs; null when sessions started and none is priced.")] double? CostUsd,
    double? CostMeanUsd, double? CostMedianUsd, double? CostP95Usd,
    long Turns, double? TurnsMean, long? TurnsP95,
    long SessionsWithErrors,
    [property: Description("sessionsWithErrors / sessions; null for an empty bucket.")] double? ErrorShare)
{
    public static SessionBucketItem From(SessionBucket b) => new(
        Timestamps.Format(b.StartMs), b.Sessions, b.PricedSessions, b.UnpricedSessions,
        b.CostUnknown ? null : Money.PicoToUsd(b.CostPico),
        b.MeanCostPico is { } mean ? Money.PicoToUsd(Int128.CreateSaturating(Math.Round(mean, MidpointRounding.AwayFromZero))) : null,
        Money.PicoToUsd(b.MedianCostPico), Money.PicoToUsd(b.P95CostPico),
        b.Turns, b.MeanTurns, b.P95Turns, b.SessionsWithErrors, b.ErrorShare);
}
