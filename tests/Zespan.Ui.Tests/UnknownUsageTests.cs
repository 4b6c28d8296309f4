using System.Globalization;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>
/// A call whose response carried no usage (a stream without include_usage, a proxy that strips it) is shown with
/// unknown tokens and an unpriced cost, never as 0 tokens or $0. Its own server, so the seeded figures stay exact.
/// </summary>
public sealed class UnknownUsageTests
{
    [Fact]
    public async Task CallWithoutUsage_ShowsUnknownTokens_AndIsLeftOutOfTheSessionsTokenSum()
    {
        await using var server = await ZespanServer.StartAsync();
        var start = DateTime.UtcNow.AddMinutes(-10);
        var reported = new SentSpan("call-reported", "trace-unknown-usage", null, "sess-unknown-usage", null, "chat.completions.create", "llm",
            "gpt-4o", start, start.AddSeconds(1), 1_000, 10, 0, "ok", null, null, null);
        var unreported = reported with { Id = "call-unreported", Start = start.AddSeconds(2), End = start.AddSeconds(3), InputTokens = 0, OutputTokens = 0 };
        var withoutUsage = unreported.ToJson();
        withoutUsage["usage"] = null;
        var response = await server.Api.PostAsync("/api/v1/ingest", System.Net.Http.Json.JsonContent.Create(
            new System.Text.Json.Nodes.JsonObject { ["batch"] = new System.Text.Json.Nodes.JsonArray(reported.ToJson(), withoutUsage) }));
        Assert.Equal(200, (int)response.StatusCode);

        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions/sess-unknown-usage");
        Assert.Equal(1_010.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=metric-tokens]", "data-value"));
        Assert.Equal("1", await page.GetAttributeAsync("[data-testid=metric-unknown-usage]", "data-value"));
        var row = page.Locator("[data-testid=timeline] li[data-span-id=call-unreported]");
        Assert.Equal("", await row.Locator("[data-field=tokens]").GetAttributeAsync("data-value"));
        Assert.Equal("unknown tok", (await row.Locator("[data-field=tokens]").InnerTextAsync()).Trim());
        Assert.Equal("unpriced", (await row.Locator("[data-field=cost]").InnerTextAsync()).Trim());
        var known = page.Locator("[data-testid=timeline] li[data-span-id=call-reported]");
        Assert.Equal("1010", await known.Locator("[data-field=tokens]").GetAttributeAsync("data-value"));

        await page.GotoAsync("/traces/trace-unknown-usage?span=call-unreported");
        Assert.Equal("", await page.GetAttributeAsync("[data-testid=span-tokens]", "data-value"));
        Assert.StartsWith("unknown", (await page.InnerTextAsync("[data-testid=span-tokens]")).Trim());
        Assert.Contains("no usage reported", await page.InnerTextAsync("[data-testid=span-cost]"));
    }
}
