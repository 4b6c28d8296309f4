using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Zespan.Core.Pricing;

/// <summary>
/// A set of model prices looked up by exact name, else by family: a dated or versioned snapshot
/// (gpt-4o-2024-08-06, claude-3-5-sonnet-20241022, mistral-large-2411, model-latest) is priced as its family.
/// </summary>
public sealed partial class ModelPriceTable
{
    private readonly Dictionary<string, ModelPrice> _byName;

    public ModelPriceTable(IEnumerable<ModelPrice> prices, string? pricesTakenOn = null)
    {
        _byName = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var price in prices)
            _byName[price.Model] = price;
        PricesTakenOn = pricesTakenOn;
    }

    /// <summary>The date the built-in prices were read from the providers' pages.</summary>
    public string? PricesTakenOn { get; }

    public IReadOnlyCollection<ModelPrice> All => _byName.Values;

    public ModelPrice? Find(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
            return null;
        var name = model.Trim();
        if (_byName.TryGetValue(name, out var exact))
            return exact;
        // Routers name models as "provider/model" (OpenRouter, LiteLLM).
        var slash = name.LastIndexOf('/');
        if (slash >= 0 && slash < name.Length - 1)
            return Find(name[(slash + 1)..]);
        var family = SnapshotSuffix().Replace(name, "");
        return family != name && _byName.TryGetValue(family, out var familyPrice) ? familyPrice : null;
    }

    /// <summary>Loads the table shipped with Zespan (Pricing/model-prices.json).</summary>
    public static ModelPriceTable LoadBuiltIn()
    {
        using var stream = typeof(ModelPriceTable).Assembly.GetManifestResourceStream("Zespan.Core.Pricing.model-prices.json")
            ?? throw new InvalidOperationException("The built-in price table resource is missing from Zespan.Core.");
        return Parse(stream);
    }

    public static ModelPriceTable Parse(Stream json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var prices = new List<ModelPrice>();
        foreach (var item in root.GetProperty("models").EnumerateArray())
        {
            prices.Add(new ModelPrice(
                item.GetProperty("model").GetString()!,
                item.GetProperty("input").GetDecimal(),
                OptionalPrice(item, "cachedInput"),
                item.GetProperty("output").GetDecimal(),
                item.TryGetProperty("provider", out var provider) ? provider.GetString() : null,
                OptionalPrice(item, "cacheWrite")));
        }
        return new ModelPriceTable(prices, root.TryGetProperty("pricesTakenOn", out var date) ? date.GetString() : null);
    }

    private static decimal? OptionalPrice(JsonElement item, string name) =>
        item.TryGetProperty(name, out var price) && price.ValueKind == JsonValueKind.Number ? price.GetDecimal() : null;

    // Date stamps (2024-08-06, 20241022), 4-digit versions (2411), "-latest", "-v1:0"; repeated, e.g. "-20241022-v2:0".
    [GeneratedRegex(@"(-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest|v\d+(:\d+)?))+$", RegexOptions.IgnoreCase)]
    private static partial Regex SnapshotSuffix();
}
