using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>Return targets after login stay on this site; every page carries the security headers and needs no inline script or style.</summary>
public sealed partial class WebHardeningTests : IAsyncLifetime
{
    private ZespanApp _app = default!;

    public async Task InitializeAsync()
    {
        _app = await new ZespanApp().StartAsync();
        await _app.IngestAsync(ZespanApp.KeyA, Spans.Llm("w-1", "w-trace", "w-session", _app.Clock.GetUtcNow().AddHours(-1), "w-user"));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Where Chromium goes for a Location header: it drops tabs and newlines and reads backslashes as slashes.</summary>
    private static Uri AsBrowserReads(string location) =>
        new(new Uri("http://zespan.test/"), new string(location.Where(c => c is not ('\t' or '\n' or '\r')).ToArray()).Replace('\\', '/').Trim());

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("/\t\\evil.example")]
    [InlineData(" //evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("http:evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/%09/evil.example")]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData("/sessions/\u0000//evil.example")]
    public async Task Login_NeverRedirectsToAnotherOrigin(string returnUrl)
    {
        var browser = _app.Browser();
        var response = await Forms.PostAsync(browser, "/login", "/account/login",
            new() { ["username"] = "admin", ["password"] = ZespanApp.AdminPassword, ["returnUrl"] = returnUrl });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); // a form the server cannot read at all is refused
            return;
        }
        var location = response.Headers.Location!.OriginalString;
        Assert.Equal("zespan.test", AsBrowserReads(location).Host);
        Assert.DoesNotContain(location, c => char.IsControl(c) || c == '\\');
    }

    [Fact]
    public async Task Login_KeepsALocalReturnPath()
    {
        var browser = _app.Browser();
        var response = await Forms.PostAsync(browser, "/login", "/account/login",
            new() { ["username"] = "admin", ["password"] = ZespanApp.AdminPassword, ["returnUrl"] = "/traces?status=error&sessionId=org%2F7" });
        Assert.Equal("/traces?status=error&sessionId=org%2F7", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ProjectSwitch_NeverRedirectsToAnotherOrigin()
    {
        var browser = await _app.LoggedInAsync("admin");
        var response = await Forms.PostAsync(browser, "/sessions", "/account/project",
            new() { ["projectId"] = _app.ProjectA.Id.ToString(), ["returnUrl"] = "/\t/evil.example" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/sessions", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task EveryPage_HasTheSecurityHeaders_AndNoInlineScriptOrStyle()
    {
        var browser = await _app.LoggedInAsync("admin");
        var pages = AppEndpoints.Pages(_app.Services).Select(p => p.Pattern
            .Replace("{SessionId}", "w-session").Replace("{UserId}", "w-user").Replace("{TraceId}", "w-trace")).ToList();
        Assert.Contains("/settings/users", pages);
        foreach (var page in pages.Append("/sessions.csv").Append("/no-such-page"))
        {
            var response = await browser.GetAsync(page);
            var headers = response.Headers;
            var csp = string.Join(";", headers.GetValues("Content-Security-Policy"));
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("script-src 'self'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Contains("default-src 'self'", csp);
            Assert.Equal("nosniff", Assert.Single(headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", Assert.Single(headers.GetValues("X-Frame-Options")));
            Assert.Equal("same-origin", Assert.Single(headers.GetValues("Referrer-Policy")));
            var html = await response.Content.ReadAsStringAsync();
            Assert.False(InlineScript().IsMatch(html), $"{page} has an inline script");
            Assert.False(StyleAttributeOrElement().IsMatch(html), $"{page} has an inline style: {StyleAttributeOrElement().Match(html).Value}");
        }
        var anonymous = await _app.Browser().GetAsync("/login");
        Assert.Contains("frame-ancestors 'none'", string.Join(";", anonymous.Headers.GetValues("Content-Security-Policy")));
        var api = await _app.ApiClient(ZespanApp.KeyA).GetAsync("/api/v1/sessions");
        Assert.Equal("nosniff", Assert.Single(api.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Cookies_AreSecure_WhenServedOverHttps()
    {
        var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/"), AllowAutoRedirect = false, HandleCookies = true });
        var page = await browser.GetAsync("/login");
        var login = await Forms.PostAsync(browser, "/login", "/account/login", new() { ["username"] = "admin", ["password"] = ZespanApp.AdminPassword });
        var cookies = page.Headers.GetValues("Set-Cookie").Concat(login.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("zespan_session=", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies, c => Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies, c => Assert.Contains("samesite=", c, StringComparison.OrdinalIgnoreCase));
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<style\b|\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttributeOrElement();
}
