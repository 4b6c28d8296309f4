using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

public sealed class EmptyStateTests
{
    [Fact]
    public async Task NewProject_SessionsPageShowsTheSdkSnippets_WithThisServersAddress()
    {
        await using var server = await ZespanServer.StartAsync();
        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions");

        Assert.Contains($"export ZESPAN_BASE_URL={server.BaseUrl}", await page.InnerTextAsync("[data-testid=env-snippet]"));
        var typescript = await page.InnerTextAsync("[data-testid=snippet-typescript]");
        Assert.Contains("const openai = zespan.wrapOpenAI(new OpenAI());", typescript);
        Assert.Contains("withLumiqtraceContext(", typescript);
        var python = await page.InnerTextAsync("[data-testid=snippet-python]");
        Assert.Contains("with with_zespan_context(user_id=user_id, session_id=session_id):", python);
        Assert.Contains("Settings", await page.InnerTextAsync("[data-testid=getting-started]"));
        Directory.CreateDirectory(Screenshots.Folder);
        await page.GotoAsync("/costs");
        // No cost at all: the chart's scale is not labelled with the 1-picodollar floor that avoids dividing by zero.
        Assert.Equal("", (await page.TextContentAsync("[data-testid=cost-axis-top]") ?? "").Trim());
        await page.GotoAsync("/sessions");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "empty-state.png"), FullPage = true });
    }
}
