namespace Zespan.Core.Pricing;

/// <summary>Prices of one model in US dollars per one million tokens. A missing cached-input price means no cache discount.</summary>
public sealed record ModelPrice(string Model, decimal InputPerMillion, decimal? CachedInputPerMillion, decimal OutputPerMillion, string? Provider = null)
{
    public decimal EffectiveCachedInputPerMillion => CachedInputPerMillion ?? InputPerMillion;
}
