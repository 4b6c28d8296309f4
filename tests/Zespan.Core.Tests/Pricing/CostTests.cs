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
