namespace Zespan.Core.Sessions;

/// <summary>
/// Cost per conversation over a set of sessions ("What is my average cost per conversation?"). The average, median and
/// p95 are over the priced sessions (at least one priced call): a session with no priced call has an unknown cost.
/// </summary>
public sealed record SessionStats(
    long Sessions,
    Int128 TotalCostPico,
    double AvgCostPico,
    Int128 MedianCostPico,
    Int128 P95CostPico,
    double AvgTurns,
    long TotalTurns,
    long SessionsWithErrors,
    long UnpricedCalls,
    long PricedSessions)
{
    /// <summary>Sessions exist and none has a priced call: the total is unknown, not zero.</summary>
    public bool TotalUnknown => Sessions > 0 && PricedSessions == 0;

    /// <summary>No priced session to take an average, median or p95 over.</summary>
    public bool PerSessionUnknown => PricedSessions == 0;
}

/// <summary>How sessions are grouped for cost attribution.</summary>
public abstract record SessionGrouping
{
    public sealed record ByUser : SessionGrouping;
    public sealed record ByTag : SessionGrouping;
    public sealed record ByMetadata(string Key) : SessionGrouping;
}

/// <summary>
/// Sessions and their cost for one group (a user, a tag or a metadata value). UnpricedSessions counts the sessions none of
/// whose calls was priced (they add nothing to TotalCostPico); when every session of the group is one, its cost is unknown.
/// </summary>
public sealed record SessionGroupCost(string? Group, long Sessions, Int128 TotalCostPico, long Turns, long TotalTokens, long UnpricedSessions)
{
    /// <summary>Over all of the group's sessions, unpriced ones included (see docs/api.md).</summary>
    public double AvgCostPico => Sessions == 0 ? 0 : (double)TotalCostPico / Sessions;

    /// <summary>The group has sessions and none of them has a priced call: its cost is unknown, not zero.</summary>
    public bool CostUnknown => Sessions > 0 && UnpricedSessions == Sessions;
}

/// <summary>A session whose tokens per turn are far above the project's usual.</summary>
public sealed record TokenOutlier(SessionSummary Session, double TokensPerTurn, double ProjectMedianTokensPerTurn)
{
    public double Ratio => ProjectMedianTokensPerTurn <= 0 ? 0 : TokensPerTurn / ProjectMedianTokensPerTurn;
}
