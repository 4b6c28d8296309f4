using OpenAI.Chat;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// The brief's published prices, recomputed here independently of the server so its cost figures can be checked:
/// (input − cached) × input price + cached × cached price + output × output price.
/// </summary>
public static class ModelPrices
{
    public static decimal Gpt4oCost(ChatTokenUsage usage) =>
        Cost(usage, inputPerMillion: 2.50m, cachedPerMillion: 1.25m, outputPerMillion: 10.00m);

    public static decimal Gpt4oMiniCost(ChatTokenUsage usage) =>
        Cost(usage, inputPerMillion: 0.15m, cachedPerMillion: 0.075m, outputPerMillion: 0.60m);

    private static decimal Cost(ChatTokenUsage usage, decimal inputPerMillion, decimal cachedPerMillion, decimal outputPerMillion)
    {
        long cached = usage.InputTokenDetails?.CachedTokenCount ?? 0;
        return ((usage.InputTokenCount - cached) * inputPerMillion
                + cached * cachedPerMillion
                + usage.OutputTokenCount * outputPerMillion) / 1_000_000m;
    }
}
