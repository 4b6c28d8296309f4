using Zespan.Core.Spans;

namespace Zespan.Core.Pricing;

/// <summary>The contract's cost formula: uncached input, cached input and output tokens, each at its own price.</summary>
public static class CostCalculator
{
    public static long CostPico(TokenUsage usage, ModelPrice price) => Money.UsdToPico(CostUsd(usage, price));

    public static decimal CostUsd(TokenUsage usage, ModelPrice price)
    {
        // Cached tokens are part of input tokens; clamp so a client that reports more cached than input is not credited money.
        var cached = Math.Min(usage.CachedInputTokens, usage.InputTokens);
        var uncached = usage.InputTokens - cached;
        return (uncached * price.InputPerMillion
                + cached * price.EffectiveCachedInputPerMillion
                + usage.OutputTokens * price.OutputPerMillion) / 1_000_000m;
    }
}
