using Zespan.Core.Spans;

namespace Zespan.Core.Pricing;

/// <summary>
/// The contract's cost formula, extended by cache writes: uncached input, cached input, input written to the cache and
/// output tokens, each at its own price. Without cache writes it is the contract's formula exactly.
/// </summary>
public static class CostCalculator
{
    public static long CostPico(TokenUsage usage, ModelPrice price) => Money.UsdToPico(CostUsd(usage, price));

    public static decimal CostUsd(TokenUsage usage, ModelPrice price)
    {
        // Cached and cache-written tokens are parts of input tokens; clamp so a client that reports more of them than
        // input is not credited money (ingestion refuses such a span; this guards every other caller).
        var cached = Math.Min(usage.CachedInputTokens, usage.InputTokens);
        var written = Math.Min(usage.CacheCreationInputTokens, usage.InputTokens - cached);
        var uncached = usage.InputTokens - cached - written;
        return (uncached * price.InputPerMillion
                + cached * price.EffectiveCachedInputPerMillion
                + written * price.EffectiveCacheCreationInputPerMillion
                + usage.OutputTokens * price.OutputPerMillion) / 1_000_000m;
    }
}
