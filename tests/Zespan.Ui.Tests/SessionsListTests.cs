using System.Globalization;
using Microsoft.Playwright;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

[Collection(SeededServerCollection.Name)]
public sealed class SessionsListTests(SeededServerFixture fixture)
{
    private static string Usd(decimal usd) => usd.ToString("0.############", CultureInfo.InvariantCulture);

    [Fact]
    public async Task ClickingCostHeader_PutsMostExpensiveSessionFirst_AndAgainCheapestFirst()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100");
        await page.ClickAsync("th a[data-sort=costUsd]");
        await page.WaitForURLAsync("**sort=costUsd**");

        var expected = fixture.Sessions.OrderByDescending(s => s.CostUsd).ThenByDescending(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId);
        Assert.Equal(expected, await TablePage.SessionIdsAsync(page));
        var top = fixture.Sessions.MaxBy(s => s.CostUsd)!;
        Assert.Equal(Usd(top.CostUsd), (await TablePage.RowValuesAsync(page))[0][5]);

        await page.ClickAsync("th a[data-sort=costUsd]");
        await page.WaitForURLAsync("**order=asc**");
        Assert.Equal(fixture.Sessions.MinBy(s => s.CostUsd)!.SessionId, (await TablePage.SessionIdsAsync(page))[0]);
    }

    [Fact]
    public async Task Stylesheet_IsServedAndApplied_InProductionMode()
    {
        // The test server runs in the default (Production) environment from a plain build, as `dotnet run` does.
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions");
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(247, 248, 250)", background); // --bg in wwwroot/app.css; the browser default would be transparent
    }

    [Fact]
    public async Task ClickingTurnsHeader_PutsLongestConversationFirst()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100");
        await page.ClickAsync("th a[data-sort=turns]");
        await page.WaitForURLAsync("**sort=turns**");
        var expected = fixture.Sessions.OrderByDescending(s => s.Turns).ThenByDescending(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId);
        Assert.Equal(expected, await TablePage.SessionIdsAsync(page));
    }

    [Fact]
    public async Task UserFilter_ShowsOnlyThatUsersSessions_WithTheirTotals()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100");
        await page.FillAsync("[data-testid=filter-user]", "user-b");
        await page.ClickAsync("[data-testid=filter-apply]");
        await page.WaitForURLAsync("**userId=user-b**");

        var expected = fixture.Sessions.Where(s => s.UserId == "user-b").ToList();
        Assert.Equal(expected.Select(s => s.SessionId).Order(), (await TablePage.SessionIdsAsync(page)).Order());
        Assert.Equal(expected.Count.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=stat-sessions]", "data-value"));
        Assert.Equal(Usd(expected.Sum(s => s.CostUsd)), await page.GetAttributeAsync("[data-testid=stat-total-cost]", "data-value"));
    }

    [Fact]
    public async Task ErrorsOnlyFilter_ShowsSessionsWithAFailedCall()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100");
        await page.CheckAsync("[data-testid=filter-errors]");
        await page.ClickAsync("[data-testid=filter-apply]");
        await page.WaitForURLAsync("**status=error**");
        var expected = fixture.Sessions.Where(s => s.Errors > 0).Select(s => s.SessionId).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, (await TablePage.SessionIdsAsync(page)).Order());
    }

    [Fact]
    public async Task MinimumTurnsFilter_HidesShorterConversations()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100");
        await page.FillAsync("[data-testid=filter-min-turns]", "4");
        await page.ClickAsync("[data-testid=filter-apply]");
        await page.WaitForURLAsync("**minTurns=4**");
        var expected = fixture.Sessions.Where(s => s.Turns >= 4).Select(s => s.SessionId).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, (await TablePage.SessionIdsAsync(page)).Order());
    }

    [Fact]
    public async Task Last7DaysPreset_ShowsOnlySessionsStartedInThatWindow()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100");
        await page.SelectOptionAsync("[data-testid=filter-range]", "7d");
        await page.ClickAsync("[data-testid=filter-apply]");
        await page.WaitForURLAsync("**range=7d**");
        var cutoff = DateTime.UtcNow.AddDays(-7);
        var expected = fixture.Sessions.Where(s => s.Started >= cutoff).Select(s => s.SessionId).Order().ToList();
        Assert.InRange(expected.Count, 2, fixture.Sessions.Count - 1);
        Assert.Equal(expected, (await TablePage.SessionIdsAsync(page)).Order());
    }

    [Fact]
    public async Task CustomDays_IncludeBothEndDays_InUtc()
    {
        var from = fixture.Now.Date.AddDays(-20);
        var to = fixture.Now.Date.AddDays(-10);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100");
        await page.SelectOptionAsync("[data-testid=filter-range]", "custom");
        await page.FillAsync("[data-testid=filter-from]", from.ToString("yyyy-MM-dd"));
        await page.FillAsync("[data-testid=filter-to]", to.ToString("yyyy-MM-dd"));
        await page.ClickAsync("[data-testid=filter-apply]");
        await page.WaitForURLAsync("**range=custom**");
        var expected = fixture.Sessions.Where(s => s.Started >= from && s.Started < to.AddDays(1)).Select(s => s.SessionId).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, (await TablePage.SessionIdsAsync(page)).Order());
    }

    [Fact]
    public async Task NextLinks_ReachTheLastSession_AndPreviousGoesBack()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=5&sort=startedAt&order=desc");
        var expected = fixture.Sessions.OrderByDescending(s => s.Started).Select(s => s.SessionId).ToList();
        var pages = (expected.Count + 4) / 5;
        var seen = new List<List<string>>();
        for (var n = 1; n <= pages; n++)
        {
            Assert.Equal(n.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-testid=page-number]"));
            Assert.Equal(pages.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-testid=page-total]"));
            seen.Add(await TablePage.SessionIdsAsync(page));
            if (n < pages)
            {
                await page.ClickAsync("a[rel=next]");
                await TablePage.WaitForPageAsync(page, n + 1);
            }
        }
        Assert.Equal(0, await page.Locator("a[rel=next]").CountAsync());
        Assert.Equal(expected, seen.SelectMany(p => p));

        await page.ClickAsync("a[rel=prev]");
        await TablePage.WaitForPageAsync(page, pages - 1);
        Assert.Equal(seen[^2], await TablePage.SessionIdsAsync(page));
    }

    [Fact]
    public async Task CsvExport_HasTheTablesRowsAndValues_WithFormulaCellsDefused()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100&sort=costUsd&order=desc");
        var rows = await TablePage.RowValuesAsync(page);
        var href = await page.GetAttributeAsync("[data-testid=export-csv]", "href");
        var response = await page.APIRequest.GetAsync(href!);
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/csv", response.Headers["content-type"]);
        var lines = (await response.TextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var csv = lines.Skip(1).Select(l => l.Split(',')).ToList();

        Assert.Equal(rows.Select(r => r[0]), csv.Select(c => c[Array.IndexOf(header, "sessionId")]));
        Assert.Equal(rows.Select(r => r[5]), csv.Select(c => c[Array.IndexOf(header, "costUsd")]));
        Assert.Equal(rows.Select(r => r[3]), csv.Select(c => c[Array.IndexOf(header, "turns")]));
        foreach (var expected in fixture.Sessions)
        {
            var line = csv.Single(c => c[0] == expected.SessionId);
            Assert.Equal(Usd(expected.CostUsd), line[Array.IndexOf(header, "costUsd")]);
            Assert.Equal(expected.TotalTokens.ToString(CultureInfo.InvariantCulture), line[Array.IndexOf(header, "totalTokens")]);
        }
        Assert.Equal("'" + TestData.InjectionUserId, csv.Single(c => c[0] == TestData.InjectionSessionId)[1]);
    }

    [Fact]
    public async Task BadQueryParameter_ShowsWhatIsWrong_With400()
    {
        var page = await fixture.NewPageAsync();
        var response = await page.GotoAsync("/sessions?minTurns=lots");
        Assert.Equal(400, response!.Status);
        Assert.Contains("minTurns", await page.InnerTextAsync(".problem"));
    }
}
