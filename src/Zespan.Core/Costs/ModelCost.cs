namespace Zespan.Core.Costs;

/// <summary>Calls, tokens and cost of one model over a period.</summary>
public sealed record ModelCost(
    string? Model,
    long Calls,
    long CostPico,
    long UnpricedCalls,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long ReasoningTokens,
    long Errors);

/// <summary>Cost and calls in one time bucket of the cost-over-time chart.</summary>
public sealed record CostBucket(long StartMs, long Calls, long CostPico, long TotalTokens);
