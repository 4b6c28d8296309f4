using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>
/// 300 pages forward and all the way back, on the Sessions and the Traces page: every page the same rows both ways, and
/// the URL never grows.
/// </summary>
public sealed class DeepPagingTests
{
    private const int Pages = 301;

    [Fact]
    public async Task ThreeHundredPagesDeepAndBack_SameRows_UrlOfConstantLength()
    {
        await using var server = await ZespanServer.StartAsync();
        var start = DateTime.UtcNow.AddHours(-1);
        var batch = new JsonArray(Enumerable.Range(0, Pages).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"deep-{i}", ["traceId"] = $"deep-trace-{i}", ["sessionId"] = $"deep-{i:D3}", ["name"] = "chat", ["kind"] = "llm",
            ["model"] = "gpt-4o", ["startTime"] = Iso(start.AddSeconds(i)), ["endTime"] = Iso(start.AddSeconds(i).AddMilliseconds(100)),
            ["usage"] = new JsonObject { ["inputTokens"] = 10, ["outputTokens"] = 5 },
        }).ToArray());
        var response = await server.Api.PostAsJsonAsync("/api/v1/ingest", new JsonObject { ["batch"] = batch });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await WaitForSessionsAsync(server, Pages);
        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);

        // Newest first: page n shows session deep-(301 - n), and on the Traces page trace deep-trace-(301 - n).
        var sessionsUrl = await WalkThereAndBackAsync(page, "/sessions?limit=1&sort=startedAt&order=desc",
            TablePage.SessionIdsAsync, n => $"deep-{Pages - n:D3}");
        var tracesUrl = await WalkThereAndBackAsync(page, "/traces?limit=1",
            async p => [.. await p.Locator("[data-testid=traces-table] tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.traceId)")],
            n => $"deep-trace-{Pages - n}");
        Assert.True(sessionsUrl < 300, $"the longest sessions paging URL was {sessionsUrl} characters");
        Assert.True(tracesUrl < 300, $"the longest traces paging URL was {tracesUrl} characters");
    }

    /// <summary>Follows Next to the last page and Previous back to the first, checking every page; the longest URL seen.</summary>
    private static async Task<int> WalkThereAndBackAsync(IPage page, string firstUrl, Func<IPage, Task<List<string>>> rows, Func<int, string> expected)
    {
        await page.GotoAsync(firstUrl);
        var longestUrl = 0;
        for (var n = 1; n <= Pages; n++)
        {
            Assert.Equal([expected(n)], await rows(page));
            Assert.Equal(n.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-testid=page-number]"));
            longestUrl = Math.Max(longestUrl, page.Url.Length);
            if (n < Pages)
                await page.GotoAsync((await page.GetAttributeAsync("a[rel=next]", "href"))!);
        }
        Assert.Equal(0, await page.Locator("a[rel=next]").CountAsync());
        for (var n = Pages - 1; n >= 1; n--)
        {
            await page.GotoAsync((await page.GetAttributeAsync("a[rel=prev]", "href"))!);
            Assert.Equal([expected(n)], await rows(page));
            Assert.Equal(n.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-testid=page-number]"));
            longestUrl = Math.Max(longestUrl, page.Url.Length);
        }
        Assert.Equal(0, await page.Locator("a[rel=prev]").CountAsync());
        return longestUrl;
    }

    private static async Task WaitForSessionsAsync(ZespanServer server, int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var list = await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/sessions?limit=1");
            if (list!["totalCount"]!.GetValue<long>() == count)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"the sessions list did not reach {count} sessions");
    }

    private static string Iso(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
