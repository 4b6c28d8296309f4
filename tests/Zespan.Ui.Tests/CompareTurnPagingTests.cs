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
                // A sliding window: the two turns before, re-sent, then the new question.
                ["input"] = new JsonArray([.. Enumerable.Range(Math.Max(1, t - 2), Math.Min(2, t - 1)).SelectMany(p => new[] { Question(id, p), Answer(id, p) }), Question(id, t)]),
                ["output"] = Answer(id, t),
            };
        }
    }

    private static JsonObject Question(string id, int turn) => new() { ["role"] = "user", ["content"] = $"{id} question {turn}" };

    /// <summary>Turns 5, 15, 25, ... ask for a tool; the others answer.</summary>
    private static JsonObject Answer(string id, int turn) => turn % 10 == 5
        ? new()
        {
            ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = $"{id}-call-{turn}", ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "lookup", ["arguments"] = "{}" },
            })
        }
        : new() { ["role"] = "assistant", ["content"] = $"{id} answer {turn}" };

    private static async Task SendAsync(ZespanServer server)
    {
        foreach (var chunk in Session("long-a", 150, idleBeforeTurn: 120).Concat(Session("long-b", 120, idleBeforeTurn: 50)).Chunk(100))
        {
            var ingest = await server.Api.PostAsync("/api/v1/ingest", JsonContent.Create(new JsonObject { ["batch"] = new JsonArray(chunk) }));
            Assert.True(ingest.IsSuccessStatusCode, await ingest.Content.ReadAsStringAsync());
        }
    }

    /// <summary>The figures of the compare table and chart, which must cover the whole sessions on every page of turns.</summary>
    private static async Task<string[]> FiguresAsync(Microsoft.Playwright.IPage page) =>
    [
        .. await page.Locator("[data-testid=compare-table] tr[data-metric=turns] td").EvaluateAllAsync<string[]>("c => c.map(x => x.dataset.value)"),
        .. await page.Locator("[data-testid=compare-table] tr[data-metric=tokens] td").EvaluateAllAsync<string[]>("c => c.map(x => x.dataset.value)"),
        .. await page.Locator("[data-testid=compare-table] tr[data-metric=tool-calls] td").EvaluateAllAsync<string[]>("c => c.map(x => x.dataset.value)"),
        .. await page.Locator("[data-testid=compare-table] tr[data-metric=cost] td").EvaluateAllAsync<string[]>("c => c.map(x => x.dataset.value)"),
        .. await page.Locator("[data-testid=compare-series]").EvaluateAllAsync<string[]>("g => g.map(x => x.dataset.last + ' ' + x.querySelector('polyline').getAttribute('points').trim().split(' ').length)"),
    ];

    [Fact]
    public async Task LongSessions_ShowTheirTurnsAPageAtATime_WithIdleGapMarkers()
    {
        await using var server = await ZespanServer.StartAsync();
        await SendAsync(server);

        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions/compare?ids=long-a,long-b");
        var rows = page.Locator("[data-testid=aligned-transcripts] tbody tr");
        Assert.Equal(100, await rows.CountAsync());
        Assert.Equal("1", await rows.First.GetAttributeAsync("data-turn"));
        Assert.Equal(("1", "2"), (await page.TextContentAsync("[data-testid=page-number]"), await page.TextContentAsync("[data-testid=page-total]")));
        var figures = await FiguresAsync(page);
        // Whole sessions: 150 and 120 turns of 120 tokens, a tool call asked at turns 5, 15, ..., one chart point per turn.
        Assert.Equal(["150", "120", "18000", "14400", "15", "12"], figures[..6]);
        Assert.Equal([$"{figures[6]} 150", $"{figures[7]} 120"], figures[8..]);
        // long-b's turn 50 ends its idle gap (30 min less the 8 s between the end of turn 49 and the start of turn 50).
        Assert.Equal(["1808000"], await page.Locator("[data-testid=compare-idle-gap]").EvaluateAllAsync<string[]>("m => m.map(x => x.dataset.value)"));
        Assert.Equal("50", await page.Locator("[data-testid=compare-idle-gap]").EvaluateAsync<string>("m => m.closest('tr').dataset.turn"));

        await page.ClickAsync("a[rel=next]");
        await page.WaitForURLAsync("**turn=101**");
        Assert.Equal(50, await rows.CountAsync());
        Assert.Equal(("101", "150"), (await rows.First.GetAttributeAsync("data-turn"), await rows.Last.GetAttributeAsync("data-turn")));
        Assert.Contains("long-a question 150", await rows.Last.TextContentAsync());
        // The page's first turn shows only what it added, as on the first page: its re-sent window is not shown again.
        var turn101 = await rows.First.TextContentAsync();
        Assert.Contains("long-a question 101", turn101);
        Assert.DoesNotContain("long-a question 100", turn101);
        Assert.Equal(figures, await FiguresAsync(page));
        Assert.Equal(30, await page.Locator("[data-testid=aligned-transcripts] td.ended").CountAsync()); // long-b ended at 120
        Assert.Equal("120", await page.Locator("[data-testid=compare-idle-gap]").EvaluateAsync<string>("m => m.closest('tr').dataset.turn"));
        Assert.Equal(0, await page.Locator("a[rel=next]").CountAsync());
        await page.ClickAsync("a[rel=prev]");
        await TablePage.WaitForPageAsync(page, 1);
        Assert.Equal(100, await rows.CountAsync());
    }

    [Fact]
    public async Task LongConversation_ShowsItsTurnsAPageAtATime_FiguresOverTheWholeSession()
    {
        await using var server = await ZespanServer.StartAsync();
        await SendAsync(server);

        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions/long-a?view=transcript");
        var turns = page.Locator("[data-testid=transcript-turn]");
        Assert.Equal(100, await turns.CountAsync());
        Assert.Equal(("1", "100"), (await turns.First.GetAttributeAsync("data-turn"), await turns.Last.GetAttributeAsync("data-turn")));
        Assert.Equal("(turns 1–100 of 150, each message shown once; 15 tool calls asked; times in UTC)", await page.TextContentAsync("[data-testid=transcript-summary]"));
        Assert.Equal("150", await page.GetAttributeAsync("[data-testid=metric-turns]", "data-value"));
        Assert.Equal(0, await page.Locator("[data-testid=transcript-idle-gap]").CountAsync());

        await page.ClickAsync("a[rel=next]");
        await page.WaitForURLAsync("**turn=101**");
        Assert.Equal(50, await turns.CountAsync());
        Assert.Equal(("101", "150"), (await turns.First.GetAttributeAsync("data-turn"), await turns.Last.GetAttributeAsync("data-turn")));
        Assert.Equal("(turns 101–150 of 150, each message shown once; 15 tool calls asked; times in UTC)", await page.TextContentAsync("[data-testid=transcript-summary]"));
        var first = await turns.First.TextContentAsync();
        Assert.Contains("long-a question 101", first);
        Assert.DoesNotContain("long-a question 100", first);
        // Turn 120 ends the 30-minute gap (plus the 8 s between the end of turn 119 and the start of turn 120).
        Assert.Equal(["1808000"], await page.Locator("[data-testid=transcript-idle-gap]").EvaluateAllAsync<string[]>("m => m.map(x => x.dataset.value)"));
        Assert.Equal(0, await page.Locator("a[rel=next]").CountAsync());
    }
}
