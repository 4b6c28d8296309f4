using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>The project's own model prices in Settings: set one, see it used by the API, remove it only after confirming.</summary>
public sealed class PricesPageTests
{
    [Fact]
    public async Task ProjectPrice_SetInSettings_PricesNewCalls_AndIsRemovedOnlyAfterConfirming()
    {
        await using var server = await ZespanServer.StartAsync();
        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/settings");
        await page.ClickAsync("a[href='/settings/prices']");
        await page.FillAsync("input[name=Model]", "house-model");
        await page.FillAsync("input[name=Input]", "3");
        await page.FillAsync("input[name=Output]", "12");
        await page.FillAsync("input[name=CacheWrite]", "3.75");
        await page.ClickAsync("[data-testid=price-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=project-prices]");
        var row = await page.InnerTextAsync("[data-testid=project-prices] tbody tr");
        Assert.Contains("house-model", row);
        Assert.Contains("$3.75", row);
        Assert.Contains("cache write", await page.InnerTextAsync("[data-testid=built-in-prices] thead"), StringComparison.OrdinalIgnoreCase);

        var prices = await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/prices");
        var own = Assert.Single(prices!["projectPrices"]!.AsArray())!;
        Assert.Equal(("house-model", 3m, 12m, 3.75m),
            ((string)own["model"]!, (decimal)own["inputPerMillion"]!, (decimal)own["outputPerMillion"]!, (decimal)own["cacheCreationInputPerMillion"]!));
        Assert.Null(own["cachedInputPerMillion"]);

        // A call on that model that wrote to the prompt cache: its panel says how much, and the cost uses the cache-write
        // price: 7,000 × $3 + 3,000 × $3.75 + 100 × $12 = $0.03345 per 1M-token prices.
        var start = DateTime.UtcNow.AddMinutes(-5);
        var call = new SentSpan("cache-writer", "trace-cache-writer", null, "sess-cache-writer", null, "messages.create", "llm", "house-model",
            start, start.AddSeconds(1), 10_000, 100, 0, "ok", null, null, null).ToJson();
        call["usage"]!["cacheCreationInputTokens"] = 3_000;
        var ingest = await server.Api.PostAsync("/api/v1/ingest", JsonContent.Create(new JsonObject { ["batch"] = new JsonArray(call) }));
        Assert.Equal(200, (int)ingest.StatusCode);
        await page.GotoAsync("/traces/trace-cache-writer?span=cache-writer");
        Assert.Contains("of which 0 cached and 3,000 written to the cache", await page.InnerTextAsync("[data-testid=span-tokens]"));
        Assert.Equal("0.03345", await page.GetAttributeAsync("[data-testid=span-cost]", "data-value"));
        await page.GotoAsync("/costs");
        Assert.Equal("3,000", (await page.InnerTextAsync("[data-testid=cost-by-model] tbody tr [data-field=cache-written]")).Trim());
        await page.GotoAsync("/settings/prices");

        // A confirmation that is dismissed changes nothing (Playwright dismisses dialogs unless told otherwise).
        string? asked = null;
        page.Dialog += (_, dialog) => { asked = dialog.Message; _ = dialog.DismissAsync(); };
        await page.ClickAsync("[data-testid=project-prices] button");
        Assert.Contains("Remove the project price of house-model?", asked);
        Assert.Single((await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/prices"))!["projectPrices"]!.AsArray());

        var acceptingPage = await browser.NewPageAsync(server.BaseUrl);
        acceptingPage.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await acceptingPage.GotoAsync("/settings/prices");
        await acceptingPage.ClickAsync("[data-testid=project-prices] button");
        await acceptingPage.WaitForSelectorAsync("[data-testid=no-project-prices]");
        Assert.Empty((await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/prices"))!["projectPrices"]!.AsArray());
    }
}
