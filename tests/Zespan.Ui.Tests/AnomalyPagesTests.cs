using System.Globalization;
using System.Text;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>The anomaly badge and "anomalous only" filter on /sessions, and the trends and anomalies sections of /costs.</summary>
public sealed class AnomalyPagesTests
{
    private static string Span(string id, string session, DateTime start, int tokens) => $$"""
        {"id":"{{id}}","traceId":"t-{{id}}","sessionId":"{{session}}","name":"chat.completions.create","kind":"llm","model":"gpt-4o",
         "startTime":"{{start.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}}","endTime":"{{start.AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}}",
         "usage":{"inputTokens":{{tokens}},"outputTokens":50},"tags":["support-chat"],"status":"ok"}
        """;

    [Fact]
    public async Task RunawaySession_IsBadged_Filtered_AndExplainedOnTheCostsPage()
    {
        await using var server = await ZespanServer.StartAsync();
        var now = DateTime.UtcNow.AddHours(-2);
        var spans = new List<string>();
        for (var i = 0; i < 25; i++)
            for (var t = 0; t < 3; t++)
                spans.Add(Span($"n{i}-{t}", $"usual-{i:00}", now.AddMinutes(-i * 20 - t), 400 + i * 5));
        for (var t = 0; t < 60; t++)
            spans.Add(Span($"r-{t}", "runaway-loop", now.AddMinutes(-30).AddSeconds(t * 5), 450));
        var response = await server.Api.PostAsync("/api/v1/ingest",
            new StringContent("{\"batch\":[" + string.Join(",", spans) + "]}", Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions");
        var badges = page.Locator("[data-testid=anomaly-badge]");
        Assert.Equal(1, await badges.CountAsync());
        Assert.Contains("60 turns = 20× the median (3)", await badges.GetAttributeAsync("title"));
        Assert.Equal("runaway-loop", await page.Locator("tr:has([data-testid=anomaly-badge])").GetAttributeAsync("data-session-id"));

        await page.CheckAsync("[data-testid=filter-anomalous]");
        await page.ClickAsync("[data-testid=filter-apply]");
        Assert.Contains("anomalous=1", page.Url);
        Assert.Equal(["runaway-loop"], await page.Locator("[data-testid=sessions-table] tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.sessionId)"));
        var reasons = await page.InnerTextAsync("[data-testid=anomaly-reasons]");
        Assert.Contains("runaway-loop: cost $", reasons); // 20 times the calls, so 20 times the cost too
        Assert.Contains("60 turns = 20× the median (3)", reasons);
        Directory.CreateDirectory(Screenshots.Folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "sessions-anomalous.png"), FullPage = true });

        await page.GotoAsync("/costs?range=7d&group=tag");
        var section = await page.InnerTextAsync("[data-testid=cost-anomalies]");
        Assert.Contains("runaway-loop", section);
        Assert.Contains("of `support-chat` sessions", section);
        Assert.Equal(1, await page.Locator("[data-testid=trend-chart][data-kind=support-chat]").CountAsync());
        Assert.Contains("26 sessions", await page.InnerTextAsync("[data-testid=session-trends]"));
        await page.Locator("[data-testid=session-trends]").ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "costs-trends.png") });
        await page.Locator("[data-testid=cost-anomalies]").ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "costs-anomalies.png") });
    }
}
