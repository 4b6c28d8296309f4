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
        await page.ClickAsync("[data-testid=price-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=project-prices]");
        Assert.Contains("house-model", await page.InnerTextAsync("[data-testid=project-prices]"));

        var prices = await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/prices");
        var own = Assert.Single(prices!["projectPrices"]!.AsArray())!;
        Assert.Equal(("house-model", 3m, 12m), ((string)own["model"]!, (decimal)own["inputPerMillion"]!, (decimal)own["outputPerMillion"]!));

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
