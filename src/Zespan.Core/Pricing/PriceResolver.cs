using Zespan.Core.Spans;

namespace Zespan.Core.Pricing;

/// <summary>Prices one LLM span: a client-sent cost wins, then the project's own price, then the built-in table.</summary>
public sealed class PriceResolver(ModelPriceTable builtIn)
{
    public ModelPriceTable BuiltIn { get; } = builtIn;

    public (long? CostPico, CostSource Source) Price(string? model, TokenUsage usage, double? clientCostUsd, ModelPriceTable? projectPrices)
    {
        if (clientCostUsd is { } clientCost)
            return (Money.UsdToPico(clientCost), CostSource.Client);
        if (projectPrices?.Find(model) is { } projectPrice)
            return (CostCalculator.CostPico(usage, projectPrice), CostSource.ProjectPrice);
        if (BuiltIn.Find(model) is { } builtInPrice)
            return (CostCalculator.CostPico(usage, builtInPrice), CostSource.BuiltInTable);
        return (null, CostSource.None);
    }
}
