using Zespan.Core.Spans;

namespace Zespan.Core.Costs;

/// <summary>Calls, tokens and cost of one model over a period.</summary>
public sealed record ModelCost(
    string? Model,
    long Calls,
    Int128 CostPico,
    long UnpricedCalls,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long ReasoningTokens,
    long Errors,
    long CacheCreationInputTokens)
{
    /// <summary>True when no call could be priced: the cost is unknown, not zero.</summary>
    public bool CostUnknown => Money.IsUnknown(Calls, UnpricedCalls);
}

/// <summary>Cost and calls in one time bucket of the cost-over-time chart.</summary>
public sealed record CostBucket(long StartMs, long Calls, Int128 CostPico, long TotalTokens, long UnpricedCalls)
{
    /// <summary>True when the bucket has calls and none could be priced; an empty bucket costs $0.</summary>
    public bool CostUnknown => Money.IsUnknown(Calls, UnpricedCalls);
}

/// <summary>The total of a cost-by-model answer, written once for the API and the Costs page.</summary>
public static class ModelCostTotal
{
    public static Int128 Of(IEnumerable<ModelCost> models)
    {
        var total = Int128.Zero;
        foreach (var m in models)
            total += m.CostPico;
        return total;
    }

    /// <summary>There are calls and none could be priced.</summary>
    public static bool Unknown(IReadOnlyCollection<ModelCost> models) => models.Count > 0 && models.All(m => m.CostUnknown);
}
