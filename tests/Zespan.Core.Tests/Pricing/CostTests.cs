using Zespan.Core.Pricing;
using Zespan.Core.Spans;

namespace Zespan.Core.Tests.Pricing;

public sealed class CostTests
{
    private static readonly ModelPrice Gpt4o = new("gpt-4o", 2.50m, 1.25m, 10.00m);

    [Fact]
    public void CostPico_ChargesUncachedCachedAndOutputTokensAtTheirPrices()
    {
        // The contract's example: 1200 input of which 1000 cached, 300 output on gpt-4o.
        // 200 × $2.50/M + 1000 × $1.25/M + 300 × $10/M = $0.0005 + $0.00125 + $0.003 = $0.00475.
        Assert.Equal(4_750_000_000, CostCalculator.CostPico(new TokenUsage(1200, 300, 1000, 0), Gpt4o));
    }

    [Fact]
    public void CostPico_ReasoningTokens_AreAlreadyInOutputTokens()
    {
        Assert.Equal(CostCalculator.CostPico(new TokenUsage(0, 500, 0, 0), Gpt4o), CostCalculator.CostPico(new TokenUsage(0, 500, 0, 400), Gpt4o));
    }

    [Fact]
    public void CostPico_NoCachedPrice_ChargesCachedTokensAsInput()
    {
        var noDiscount = new ModelPrice("x", 3m, null, 0m);
        Assert.Equal(CostCalculator.CostPico(new TokenUsage(1000, 0, 0, 0), noDiscount), CostCalculator.CostPico(new TokenUsage(1000, 0, 800, 0), noDiscount));
    }

    [Fact]
    public void CostPico_CacheWrites_AreChargedAtTheCacheWritePrice()
    {
        // Claude Sonnet 4.5: $3/M input, $0.30/M cache reads, $3.75/M cache writes, $15/M output. 10,000 input tokens of
        // which 6,000 read from and 3,000 written to the cache, 200 output:
        // 1,000 × 3 + 6,000 × 0.30 + 3,000 × 3.75 + 200 × 15 = 3,000 + 1,800 + 11,250 + 3,000 = 19,050 $/M = $0.01905.
        var sonnet = ModelPriceTable.LoadBuiltIn().Find("claude-sonnet-4-5-20250929")!;
        Assert.Equal(3.75m, sonnet.CacheCreationInputPerMillion);
        Assert.Equal(19_050_000_000, CostCalculator.CostPico(new TokenUsage(10_000, 200, 6_000, 0, 3_000), sonnet));
    }

    [Fact]
    public void CostPico_NoCacheWritePrice_ChargesWrittenTokensAsInput()
    {
        // OpenAI bills no cache writes: the built-in table has no such price, and the count changes nothing.
        var gpt = ModelPriceTable.LoadBuiltIn().Find("gpt-4o")!;
        Assert.Null(gpt.CacheCreationInputPerMillion);
        Assert.Equal(CostCalculator.CostPico(new TokenUsage(1000, 10, 200, 0), gpt), CostCalculator.CostPico(new TokenUsage(1000, 10, 200, 0, 500), gpt));
    }

    [Fact]
    public void CostPico_MoreCacheTokensThanInput_IsNeverCreditedMoney()
    {
        // Reads first, then writes, each clamped to what input has left: never a negative uncached count.
        var price = new ModelPrice("x", 10m, 1m, 0m, CacheCreationInputPerMillion: 20m);
        Assert.Equal(Money.UsdToPico((400 * 1m + 600 * 20m) / 1_000_000m), CostCalculator.CostPico(new TokenUsage(1000, 0, 400, 0, 900), price));
    }

    [Fact]
    public void CostPico_TinyCalls_AreExactInPicodollars()
    {
        // One gpt-4o-mini input token costs $0.00000015 = 150,000 pico; a float would drift, integers do not.
        var mini = new ModelPrice("gpt-4o-mini", 0.15m, 0.075m, 0.60m);
        Assert.Equal(150_000, CostCalculator.CostPico(new TokenUsage(1, 0, 0, 0), mini));
        Assert.Equal(75_000, CostCalculator.CostPico(new TokenUsage(1, 0, 1, 0), mini));
    }

    [Fact]
    public void PriceResolver_ClientCostWins_ThenProjectPrice_ThenBuiltIn_ElseUnpriced()
    {
        var resolver = new PriceResolver(ModelPriceTable.LoadBuiltIn());
        var usage = new TokenUsage(1_000_000, 0, 0, 0);
        var project = new ModelPriceTable([new ModelPrice("gpt-4o", 1m, null, 1m)]);

        Assert.Equal(((long?)123_000_000_000L, CostSource.Client), resolver.Price("gpt-4o", usage, 0.123, project));
        Assert.Equal(((long?)1_000_000_000_000L, CostSource.ProjectPrice), resolver.Price("gpt-4o-2024-08-06", usage, null, project));
        Assert.Equal(((long?)2_500_000_000_000L, CostSource.BuiltInTable), resolver.Price("gpt-4o", usage, null, null));
        Assert.Equal(((long?)null, CostSource.None), resolver.Price("in-house", usage, null, project));
    }

    [Fact]
    public void Money_ConvertsBetweenDollarsAndPicodollars()
    {
        Assert.Equal(1_000_000_000_000, Money.UsdToPico(1.0));
        Assert.Equal(4_750_000_000, Money.UsdToPico(0.00475));
        Assert.Equal(0.00475, Money.PicoToUsd(4_750_000_000));
        Assert.Null(Money.PicoToUsd((long?)null));
    }
}
