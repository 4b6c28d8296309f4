namespace Zespan.Core.Sessions;

/// <summary>Cost per conversation over a set of sessions ("What is my average cost per conversation?").</summary>
public sealed record SessionStats(
    long Sessions,
    long TotalCostPico,
    double AvgCostPico,
    long MedianCostPico,
    long P95CostPico,
    double AvgTurns,
    long TotalTurns,
    long SessionsWithErrors,
    long UnpricedCalls);

/// <summary>How sessions are grouped for cost attribution.</summary>
public abstract record SessionGrouping
{
    public sealed record ByUser : SessionGrouping;
    public sealed record ByTag : SessionGrouping;
    public sealed record ByMetadata(string Key) : SessionGrouping;
}

/// <summary>Sessions and their cost for one group (a user, a tag or a metadata value).</summary>
public sealed record SessionGroupCost(string? Group, long Sessions, long TotalCostPico, long Turns, long TotalTokens)
{
    public double AvgCostPico => Sessions == 0 ? 0 : (double)TotalCostPico / Sessions;
}

/// <summary>A session whose tokens per turn are far above the project's usual.</summary>
public sealed record TokenOutlier(SessionSummary Session, double TokensPerTurn, double ProjectMedianTokensPerTurn)
{
    public double Ratio => ProjectMedianTokensPerTurn <= 0 ? 0 : TokensPerTurn / ProjectMedianTokensPerTurn;
}
