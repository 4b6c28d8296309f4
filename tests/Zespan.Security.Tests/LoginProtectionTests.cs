using System.Net;
using Zespan.Core.Storage;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>CSRF tokens on every form, HttpOnly + SameSite cookies, and rate-limited logins.</summary>
public sealed class LoginProtectionTests : IAsyncLifetime
{
    private ZespanApp _app = default!;

    public async Task InitializeAsync() => _app = await new ZespanApp().StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task LoginPost_WithoutAntiforgeryToken_IsRejected()
    {
        var browser = _app.Browser();
        var response = await Forms.PostAsync(browser, "/login", "/account/login",
            new() { ["username"] = "admin", ["password"] = ZespanApp.AdminPassword }, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("zespan_session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SettingsForms_WithoutAntiforgeryToken_ChangeNothing()
    {
        var admin = await _app.LoggedInAsync("admin");
        var keys = _app.Get<IProjectStore>();
        var before = (await keys.ListApiKeysAsync(_app.ProjectA.Id)).Count;
        var create = await Forms.PostBlazorFormAsync(admin, "/settings", "create-key", new() { ["NewKeyName"] = "forged" }, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        var plan = await Forms.PostBlazorFormAsync(admin, "/settings", "change-plan", new() { ["NewPlan"] = "Scale" }, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, plan.StatusCode);
        var switchProject = await Forms.PostAsync(admin, "/settings", "/account/project", new() { ["projectId"] = _app.ProjectA.Id.ToString() }, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, switchProject.StatusCode);
        Assert.Equal(before, (await keys.ListApiKeysAsync(_app.ProjectA.Id)).Count);
        Assert.Equal(Zespan.Core.Projects.Plan.Free, (await _app.Get<IOrganizationStore>().FindAsync(_app.ProjectA.OrganizationId))!.Plan);
        // The same form with its token works, so the refusals above are the token check.
        var withToken = await Forms.PostBlazorFormAsync(admin, "/settings", "create-key", new() { ["NewKeyName"] = "real" });
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal(before + 1, (await keys.ListApiKeysAsync(_app.ProjectA.Id)).Count);
    }

    [Fact]
    public async Task Cookies_AreHttpOnlyAndSameSite()
    {
        var browser = _app.Browser();
        var page = await browser.GetAsync("/login");
        var token = await Forms.AntiforgeryTokenAsync(browser, "/login");
        var login = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin", ["password"] = ZespanApp.AdminPassword, ["__RequestVerificationToken"] = token,
        }));
        var cookies = page.Headers.GetValues("Set-Cookie").Concat(login.Headers.GetValues("Set-Cookie")).ToList();
        var session = Assert.Single(cookies, c => c.StartsWith("zespan_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
        var antiforgery = Assert.Single(cookies, c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.Contains("httponly", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", antiforgery, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RepeatedFailedLogins_ForOneUser_Get429_EvenWithTheRightPasswordLater()
    {
        var browser = _app.Browser();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var wrong = await Forms.PostAsync(browser, "/login", "/account/login", new() { ["username"] = "alice", ["password"] = "guess-" + attempt });
            Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
            Assert.Contains("failed=1", wrong.Headers.Location!.ToString());
        }
        var right = await Forms.PostAsync(browser, "/login", "/account/login", new() { ["username"] = "ALICE", ["password"] = ZespanApp.UserPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.True(right.Headers.RetryAfter is not null);
        Assert.Contains("Too many failed logins", await right.Content.ReadAsStringAsync());
        // Another user is not affected by alice's lock-out.
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(browser, "/login", "/account/login", new() { ["username"] = "bob", ["password"] = ZespanApp.UserPassword })).StatusCode);
    }

    [Fact]
    public async Task ManyLoginAttempts_FromOneAddress_Get429()
    {
        var browser = _app.Browser();
        var token = await Forms.AntiforgeryTokenAsync(browser, "/login");
        HttpResponseMessage? last = null;
        for (var attempt = 0; attempt < 25 && last?.StatusCode != HttpStatusCode.TooManyRequests; attempt++)
        {
            last = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = "user" + attempt, ["password"] = "guess", ["__RequestVerificationToken"] = token,
            }));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.Contains("Too many login attempts from your address", await last.Content.ReadAsStringAsync());
    }
}
