using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>
/// The compare page of long sessions shows their aligned conversations 100 turns at a time (the figures still cover the
/// whole sessions), and marks a turn that ends an idle gap.
/// </summary>
public sealed class CompareTurnPagingTests
{
    private static IEnumerable<JsonObject> Session(string id, int turns, int idleBeforeTurn)
    {
        var at = DateTime.UtcNow.Date.AddDays(-1).AddHours(8);
        for (var t = 1; t <= turns; t++)
        {
            // 10 s apart, and 30 minutes of silence before turn idleBeforeTurn.
            var start = at.AddSeconds(10 * t).AddMinutes(t >= idleBeforeTurn ? 30 : 0);
            yield return new JsonObject
            {
                ["id"] = $"{id}-{t:D4}", ["traceId"] = $"{id}-t{t:D4}", ["sessionId"] = id, ["name"] = "chat.completions.create", ["kind"] = "llm",
                ["model"] = "gpt-4o-mini", ["startTime"] = start.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
                ["endTime"] = start.AddSeconds(2).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
                ["usage"] = new JsonObject { ["inputTokens"] = 100, ["outputTokens"] = 20 },
                ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"{id} question {t}" }),
                ["output"] = new JsonObject { ["role"] = "assistant", ["content"] = $"{id} answer {t}" },
            };
        }
    }

    [Fact]
    public async Task LongSessions_ShowTheirTurnsAPageAtATime_WithIdleGapMarkers()
    {
        await using var server = await ZespanServer.StartAsync();
        foreach (var chunk in Session("long-a", 150, idleBeforeTurn: 120).Concat(Session("long-b", 120, idleBeforeTurn: 50)).Chunk(100))
        {
            var ingest = await server.Api.PostAsync("/api/v1/ingest", JsonContent.Create(new JsonObject { ["batch"] = new JsonArray(chunk) }));
            Assert.True(ingest.IsSuccessStatusCode, await ingest.Content.ReadAsStringAsync());
        }

        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions/compare?ids=long-a,long-b");
        var rows = page.Locator("[data-testid=aligned-transcripts] tbody tr");
        Assert.Equal(100, await rows.CountAsync());
        Assert.Equal("1", await rows.First.GetAttributeAsync("data-turn"));
        Assert.Equal(("1", "2"), (await page.TextContentAsync("[data-testid=page-number]"), await page.TextContentAsync("[data-testid=page-total]")));
        Assert.Equal(["150", "120"], await page.Locator("[data-testid=compare-table] tr[data-metric=turns] td").EvaluateAllAsync<string[]>("c => c.map(x => x.dataset.value)"));
        // long-b's turn 50 ends its idle gap (30 min less the 8 s between the end of turn 49 and the start of turn 50).
        Assert.Equal(["1808000"], await page.Locator("[data-testid=compare-idle-gap]").EvaluateAllAsync<string[]>("m => m.map(x => x.dataset.value)"));
        Assert.Equal("50", await page.Locator("[data-testid=compare-idle-gap]").EvaluateAsync<string>("m => m.closest('tr').dataset.turn"));

        await page.ClickAsync("a[rel=next]");
        await page.WaitForURLAsync("**turn=101**");
        Assert.Equal(50, await rows.CountAsync());
        Assert.Equal(("101", "150"), (await rows.First.GetAttributeAsync("data-turn"), await rows.Last.GetAttributeAsync("data-turn")));
        Assert.Contains("long-a answer 150", await rows.Last.TextContentAsync());
        Assert.Equal(30, await page.Locator("[data-testid=aligned-transcripts] td.ended").CountAsync()); // long-b ended at 120
        Assert.Equal("120", await page.Locator("[data-testid=compare-idle-gap]").EvaluateAsync<string>("m => m.closest('tr').dataset.turn"));
        Assert.Equal(0, await page.Locator("a[rel=next]").CountAsync());
        await page.ClickAsync("a[rel=prev]");
        await page.WaitForFunctionAsync("document.querySelector('[data-testid=page-number]').textContent == '1'");
        Assert.Equal(100, await rows.CountAsync());
    }
}
