using Zespan.Core.Pricing;

namespace Zespan.Core.Tests.Pricing;

public sealed class ModelPriceTableTests
{
    private static readonly ModelPriceTable BuiltIn = ModelPriceTable.LoadBuiltIn();

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("claude-3-5-sonnet-20241022", "claude-3-5-sonnet")]
    [InlineData("mistral-large-2411", "mistral-large")]
    [InlineData("openai/gpt-4o", "gpt-4o")]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("GPT-4o-mini", "gpt-4o-mini")]
    [InlineData("mistral-large-latest", "mistral-large")]
    [InlineData("openrouter/anthropic/claude-3-5-sonnet-20241022", "claude-3-5-sonnet")]
    public void Find_DatedOrRoutedModelName_IsPricedAsItsFamily(string model, string family)
    {
        Assert.Equal(family, BuiltIn.Find(model)?.Model, StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("my-finetune")]
    [InlineData("gpt-4o-turbo-extreme")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("openai/")]
    public void Find_UnknownModel_IsNull(string? model)
    {
        Assert.Null(BuiltIn.Find(model));
    }

    [Fact]
    public void BuiltIn_OpenAIPrices_AreTheDocumentedOnes()
    {
        var gpt4o = BuiltIn.Find("gpt-4o")!;
        Assert.Equal((2.50m, (decimal?)1.25m, 10.00m), (gpt4o.InputPerMillion, gpt4o.CachedInputPerMillion, gpt4o.OutputPerMillion));
        var mini = BuiltIn.Find("gpt-4o-mini")!;
        Assert.Equal((0.15m, (decimal?)0.075m, 0.60m), (mini.InputPerMillion, mini.CachedInputPerMillion, mini.OutputPerMillion));
        Assert.NotNull(BuiltIn.PricesTakenOn);
    }

    [Fact]
    public void Find_ExactNameBeatsFamily()
    {
        var table = new ModelPriceTable([new ModelPrice("gpt-4o", 1, null, 1), new ModelPrice("gpt-4o-2024-05-13", 5, null, 15)]);
        Assert.Equal(5, table.Find("gpt-4o-2024-05-13")!.InputPerMillion);
        Assert.Equal(1, table.Find("gpt-4o-2024-08-06")!.InputPerMillion);
    }
}
