namespace Zespan.Core.Pricing;

/// <summary>What a project's own model price may be; the API and the settings page refuse the same things with the same words.</summary>
public static class PriceRules
{
    public const decimal MaxPerMillion = 100_000;

    /// <summary>Why this price cannot be stored, or null when it can.</summary>
    public static string? Problem(string model, decimal input, decimal? cachedInput, decimal output, decimal? cacheCreationInput = null)
    {
        if (model.Length is 0 or > 256)
            return "The model name must be 1 to 256 characters long.";
        if (new[] { input, output, cachedInput, cacheCreationInput }.Any(price => price is < 0 or > MaxPerMillion))
            return "Prices are US dollars per one million tokens, between 0 and 100,000.";
        return null;
    }
}
