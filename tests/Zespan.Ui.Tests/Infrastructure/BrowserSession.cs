using Microsoft.Playwright;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright, logged in to one server through its login form.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;
    private readonly string storageState;

    private BrowserSession(IPlaywright playwright, IBrowser browser, string storageState)
    {
        this.playwright = playwright;
        this.browser = browser;
        this.storageState = storageState;
    }

    public static async Task<BrowserSession> LogInAsync(ZespanServer server)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        // The suite's first login also starts a cold Chromium, while other suites load both cores (CI once took over
        // Playwright's default 30 s here); a failure says where the browser was and what the server logged.
        context.SetDefaultTimeout(90_000);
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync("/login");
            await page.FillAsync("input[name=username]", "admin");
            await page.FillAsync("input[name=password]", ZespanServer.AdminPassword);
            await page.ClickAsync("button[type=submit]");
            // The parsed page is enough: once (CI, session 39) the browser showed the rendered /sessions page and network
            // idle, yet Playwright's wait for its load event ran out after 90 s.
            await page.WaitForURLAsync("**/sessions**", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        }
        catch (TimeoutException timeout)
        {
            var text = await page.InnerTextAsync("body", new() { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(unreadable)");
            throw new TimeoutException($"Logging in did not reach /sessions: the browser is at {page.Url}, showing:\n{text}\nServer log:\n{server.Log}", timeout);
        }
        var state = await context.StorageStateAsync();
        await context.CloseAsync();
        return new BrowserSession(playwright, browser, state);
    }

    /// <summary>A fresh tab with the logged-in cookie, 1280 px wide unless another width is asked for.</summary>
    /// <param name="bypassCsp">Lets a test inject a tool's script (axe-core) despite the page's Content-Security-Policy.</param>
    public async Task<IPage> NewPageAsync(string baseUrl, int width = 1280, bool loggedIn = true, bool bypassCsp = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl, StorageState = loggedIn ? storageState : null, ViewportSize = new ViewportSize { Width = width, Height = 900 },
            AcceptDownloads = true, BypassCSP = bypassCsp,
        });
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await browser.CloseAsync();
        playwright.Dispose();
    }
}
