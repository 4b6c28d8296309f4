using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>
/// Issue 18 in the browser, on a server of its own: names (escaped), active time and idle gaps as columns and sort
/// keys, the search box, the overview charts whose bars filter the list, the idle gap markers of the session page, and
/// the project's threshold in Settings. Expected figures are worked out by hand from the spans sent here.
/// </summary>
public sealed class SessionActivityPageTests
{
    private static readonly DateTime Day = DateTime.UtcNow.Date.AddDays(-2);

    private static JsonObject Call(string id, string session, DateTime start, double seconds, string? userText = null, string? sessionName = null)
    {
        var span = new JsonObject
        {
            ["id"] = id, ["traceId"] = "t-" + id, ["sessionId"] = session, ["name"] = "chat.completions.create", ["kind"] = "llm",
            ["model"] = "gpt-4o-mini", ["startTime"] = start.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            ["endTime"] = start.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            ["usage"] = new JsonObject { ["inputTokens"] = 100, ["outputTokens"] = 20 },
        };
        if (userText is not null)
            span["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = userText });
        if (sessionName is not null)
            span["sessionName"] = sessionName;
        return span;
    }

    [Fact]
    public async Task NamesActiveTimeIdleGapsChartsAndTheThreshold_WorkOnThePages()
    {
        await using var server = await ZespanServer.StartAsync();
        var at = Day.AddHours(9);
        // walk: 0–1 min, 4–5 min, 25–26 min: one idle gap (20 min), active 6 min of a 26-minute wall.
        // script: one call on the next day, named by an HTML/script first message.
        var spans = new JsonArray(
            Call("w1", "conv-walk", at, 60, "Where is my parcel?"),
            Call("w2", "conv-walk", at.AddMinutes(4), 60),
            Call("w3", "conv-walk", at.AddMinutes(25), 60),
            Call("b1", "conv-billing", at.AddMinutes(1), 30, "ignored", sessionName: "Billing dispute"),
            Call("b2", "conv-billing", at.AddMinutes(2), 30),
            Call("s1", "conv-script", at.AddDays(1), 5, "<img src=x onerror=\"window.__pwned=1\">Hello"));
        var ingest = await server.Api.PostAsync("/api/v1/ingest", JsonContent.Create(new JsonObject { ["batch"] = spans }));
        Assert.True(ingest.IsSuccessStatusCode, await ingest.Content.ReadAsStringAsync());

        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions?range=30d&sort=activeDurationMs&order=desc");
        Assert.Equal(["conv-walk", "conv-billing", "conv-script"], await TablePage.SessionIdsAsync(page));
        Assert.Equal(["Where is my parcel?", "Billing dispute", "<img src=x onerror=\"window.__pwned=1\">Hello"],
            await page.Locator("[data-testid=session-name]").AllTextContentsAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned")); // shown as text, never run
        Assert.Equal(["360000", "90000", "5000"], await page.Locator("[data-testid=active-time]").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.value)"));
        Assert.Equal(["1", "0", "0"], await page.Locator("[data-testid=idle-gaps]").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.value)"));
        Directory.CreateDirectory(Screenshots.Folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "sessions-active-time.png"), FullPage = true });

        // The charts: two days of sessions; a bar of the turns histogram narrows the list to that many turns.
        Assert.Equal(2, await page.Locator("[data-testid=day-bar]").CountAsync());
        await page.Locator("[data-testid=turns-bar][data-min-turns='2']").ClickAsync();
        await page.WaitForURLAsync("**maxTurns=2**");
        Assert.Equal(["conv-billing"], await TablePage.SessionIdsAsync(page));
        await page.GotoAsync("/sessions?range=30d");
        await page.Locator($"[data-testid=day-bar][data-day='{Day.AddDays(1):yyyy-MM-dd}']").ClickAsync();
        await page.WaitForURLAsync("**range=custom**");
        Assert.Equal(["conv-script"], await TablePage.SessionIdsAsync(page));

        // The search box looks in names and ids.
        await page.GotoAsync("/sessions?range=30d");
        await page.FillAsync("[data-testid=filter-q]", "PARCEL");
        await page.ClickAsync("[data-testid=filter-apply]");
        await page.WaitForURLAsync("**q=PARCEL**");
        Assert.Equal(["conv-walk"], await TablePage.SessionIdsAsync(page));

        // The session page: its name, active time and one idle gap marker between the second and third call.
        await page.GotoAsync("/sessions/conv-walk");
        Assert.Equal("Where is my parcel?", await page.TextContentAsync("h1[data-testid=session-name]"));
        Assert.Equal("360000", await page.GetAttributeAsync("[data-testid=metric-active]", "data-value"));
        Assert.Equal(["1200000"], await page.Locator("[data-testid=idle-gap-marker]").EvaluateAllAsync<string[]>("m => m.map(x => x.dataset.value)"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "session-idle-gaps.png"), FullPage = true });

        // A 30-minute threshold in Settings: the gap is no longer idle, on the list and the session page.
        await page.GotoAsync("/settings/sessions");
        await page.FillAsync("[data-testid=idle-gap-minutes]", "30");
        await page.ClickAsync("[data-testid=idle-gap-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=session-settings-message]");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "settings-sessions.png"), FullPage = true });
        await page.GotoAsync("/sessions/conv-walk");
        Assert.Equal("1560000", await page.GetAttributeAsync("[data-testid=metric-active]", "data-value"));
        Assert.Equal(0, await page.Locator("[data-testid=idle-gap-marker]").CountAsync());
    }
}
