namespace Zespan.Core.Sessions.Anomalies;

/// <summary>Which sessions to judge and against which baseline.</summary>
public sealed record AnomalyQuery
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    /// <summary>
    /// The sessions to judge (the sessions list's filters). Without a start they are the sessions of the baseline window;
    /// the baseline window ends at the filter's end (or now).
    /// </summary>
    public SessionFilter Filter { get; init; } = SessionFilter.None;

    /// <summary>The kinds of conversation with a baseline each; null: the whole project is one kind.</summary>
    public SessionGrouping? By { get; init; }

    /// <summary>The trailing window of the baseline.</summary>
    public TimeSpan Window { get; init; } = DefaultWindow;

    public int Limit { get; init; } = SessionQuery.DefaultLimit;
}

/// <summary>The usual figures of one kind of conversation over the baseline window.</summary>
public sealed record KindBaseline(string? Kind, int Sessions, Baseline CostPico, Baseline Turns, Baseline TokensPerTurn)
{
    /// <summary>Sessions of the kind none of whose calls was priced: left out of the cost baseline, never counted as $0.</summary>
    public int UnpricedSessions => Sessions - CostPico.Sessions;
}

/// <summary>
/// A session far above the usual of its kind, with every figure judged (flagged or not) and the reason in words, built
/// only from the flagged figures.
/// </summary>
public sealed record SessionAnomaly(SessionSummary Session, string? Kind, IReadOnlyList<AnomalyFinding> Findings, string Reason)
{
    /// <summary>How many times the usual the most extreme flagged figure is; anomalies are listed by it, highest first.</summary>
    public double MaxRatio => Findings.Where(f => f.Flagged).Max(f => f.Ratio);
}

/// <summary>The anomalies found, the baseline window and the baselines they were judged against.</summary>
public sealed record AnomalyReport(
    long BaselineFromMs, long BaselineToMs, SessionGrouping? By, long SessionsJudged, long AnomalousSessions,
    IReadOnlyList<SessionAnomaly> Items, IReadOnlyList<KindBaseline> Baselines);
