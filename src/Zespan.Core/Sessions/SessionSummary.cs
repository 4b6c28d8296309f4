using Zespan.Core.Spans;

namespace Zespan.Core.Sessions;

/// <summary>One row of the sessions list: the contract's session figures, kept exact by the store as spans arrive.</summary>
public sealed record SessionSummary(
    string SessionId,
    string? UserId,
    long StartedMs,
    long EndedMs,
    int Turns,
    Int128 CostPico,
    int UnpricedCalls,
    long InputTokens,
    long OutputTokens,
    int ErrorCount,
    long LatencySumMs)
{
    public long DurationMs => EndedMs - StartedMs;
    public long TotalTokens => InputTokens + OutputTokens;
    public bool HasErrors => ErrorCount > 0;
    /// <summary>Mean of (endTime − startTime) over the session's calls.</summary>
    public double AvgLatencyMs => Turns == 0 ? 0 : (double)LatencySumMs / Turns;
    /// <summary>True when no call of the session could be priced: its cost is unknown, not zero.</summary>
    public bool CostUnknown => Money.IsUnknown(Turns, UnpricedCalls);
    /// <summary>Total of the idle gaps (see SessionActivity), under the project's threshold when the row was last computed.</summary>
    public long IdleMs { get; init; }
    public int IdleGaps { get; init; }
    /// <summary>Wall duration without the idle gaps.</summary>
    public long ActiveMs => DurationMs - IdleMs;
    /// <summary>The readable name (see SessionNames), or null when no call carried one or a user message.</summary>
    public string? Name { get; init; }
}
