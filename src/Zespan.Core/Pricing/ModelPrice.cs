namespace Zespan.Core.Pricing;

/// <summary>
/// Prices of one model in US dollars per one million tokens. A missing cached-input price means no cache discount; a
/// missing cache-creation price means tokens written to the cache cost as plain input (OpenAI, Gemini: no write charge).
/// </summary>
public sealed record ModelPrice(
    string Model, decimal InputPerMillion, decimal? CachedInputPerMillion, decimal OutputPerMillion, string? Provider = null,
    decimal? CacheCreationInputPerMillion = null)
{
    public decimal EffectiveCachedInputPerMillion => CachedInputPerMillion ?? InputPerMillion;

    public decimal EffectiveCacheCreationInputPerMillion => CacheCreationInputPerMillion ?? InputPerMillion;
}
