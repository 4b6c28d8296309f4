using Zespan.Core.Spans;

namespace Zespan.Core.Pricing;

/// <summary>Prices one LLM span: a client-sent cost wins, then the project's own price, then the built-in table.</summary>
public sealed class PriceResolver(ModelPriceTable builtIn)
{
    public ModelPriceTable BuiltIn { get; } = builtIn;

    public (long? CostPico, CostSource Source) Price(string? model, TokenUsage usage, double? clientCostUsd, ModelPriceTable? projectPrices)
    {
        var (usd, source) = PriceUsd(model, usage, clientCostUsd, projectPrices);
        return (usd is { } u ? Money.UsdToPico(u) : null, source);
    }

    /// <summary>The cost in dollars (decimal, which holds any token count times any price), before it is bounded and stored as picodollars.</summary>
    public (decimal? CostUsd, CostSource Source) PriceUsd(string? model, TokenUsage usage, double? clientCostUsd, ModelPriceTable? projectPrices)
    {
        if (clientCostUsd is { } clientCost)
            return ((decimal)clientCost, CostSource.Client);
        if (projectPrices?.Find(model) is { } projectPrice)
            return (CostCalculator.CostUsd(usage, projectPrice), CostSource.ProjectPrice);
        if (BuiltIn.Find(model) is { } builtInPrice)
            return (CostCalculator.CostUsd(usage, builtInPrice), CostSource.BuiltInTable);
        return (null, CostSource.None);
    }
}
