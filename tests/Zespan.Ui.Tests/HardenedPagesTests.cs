using System.Net.Http.Json;
using Microsoft.Playwright;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>
/// In Chromium against the real server process: every page works under the Content-Security-Policy (no violation is
/// reported), and ids with slashes and escapes are reached by clicking the links the pages make.
/// </summary>
public sealed class HardenedPagesTests : IAsyncLifetime
{
    private const string SessionId = "org/7/conv-1 %";
    private const string UserId = "team/alice";
    private const string TraceId = "trace/1 %25";
    private const string SpanId = "span/1";

    private ZespanServer server = default!;
    private BrowserSession browser = default!;

    public async Task InitializeAsync()
    {
        server = await ZespanServer.StartAsync();
        var start = DateTime.UtcNow.AddMinutes(-30);
        object Span(string id, string model, int offsetSeconds) => new
        {
            id, traceId = TraceId, sessionId = SessionId, userId = UserId, name = "chat.completions.create", kind = "llm", model,
            startTime = start.AddSeconds(offsetSeconds).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), endTime = start.AddSeconds(offsetSeconds + 1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            usage = new { inputTokens = 1000, outputTokens = 100 }, input = new[] { new { role = "user", content = "hi" } }, tags = new[] { "beta" },
        };
        var response = await server.Api.PostAsJsonAsync("/api/v1/ingest", new { batch = new[] { Span(SpanId, "gpt-4o", 0), Span("span/2", "gpt-4o-mini", 5) } });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        browser = await BrowserSession.LogInAsync(server);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task EveryPage_RendersUnderTheContentSecurityPolicy_WithoutViolations()
    {
        var page = await browser.NewPageAsync(server.BaseUrl);
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Refused to", StringComparison.Ordinal))
                violations.Add($"{page.Url}: {message.Text}");
        };
        static string e(string id) => Uri.EscapeDataString(id);
        string[] paths =
        [
            "/sessions", $"/sessions/{e(SessionId)}", $"/users/{e(UserId)}", "/traces", $"/traces/{e(TraceId)}?span={e(SpanId)}",
            "/costs", "/costs?group=userId", "/settings", "/settings/users", "/no-such-page",
        ];
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(path);
            Assert.NotNull(response);
            Assert.Contains("frame-ancestors 'none'", await response.HeaderValueAsync("content-security-policy") ?? "");
            // Stylesheet applied: the header row of a page is laid out by app.css, which the policy must let through.
            Assert.Equal("rgb(", (await page.EvaluateAsync<string>("getComputedStyle(document.body).color"))[..4]);
        }
        await page.GotoAsync("/costs");
        var bars = page.Locator("svg.share rect");
        Assert.True(await bars.CountAsync() >= 2);
        Assert.True(await bars.First.EvaluateAsync<double>("r => r.getBoundingClientRect().width") > 0, "the cost share bar is drawn");
        Assert.Empty(violations);
    }

    [Fact]
    public async Task IdsWithSlashes_AreReachedByClickingThePagesLinks()
    {
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions");
        await page.Locator("a.row-target", new() { HasTextString = SessionId }).First.ClickAsync();
        try { await page.WaitForSelectorAsync("[data-testid=session-id]", new() { Timeout = 10_000 }); }
        catch (TimeoutException ex) { throw new Exception($"at {page.Url}: {(await page.InnerTextAsync("body"))[..200]}", ex); }
        Assert.Equal(SessionId, await page.InnerTextAsync("[data-testid=session-id]"));

        await page.ClickAsync("[data-testid=user-link]");
        await page.WaitForSelectorAsync("[data-testid=user-id]");
        Assert.Equal(UserId, await page.InnerTextAsync("[data-testid=user-id]"));
        Assert.Contains(SessionId, await page.InnerTextAsync("body"));

        await page.GotoAsync($"/sessions/{Uri.EscapeDataString(SessionId)}");
        await page.Locator("[data-testid=timeline-trace-link]").First.ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=trace-id]");
        Assert.Equal(TraceId, await page.InnerTextAsync("[data-testid=trace-id]"));
    }
}
