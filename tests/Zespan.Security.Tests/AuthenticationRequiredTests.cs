using System.Net;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>Every endpoint the app maps needs a login or an API key, except the few listed here; the list is read from the running app.</summary>
public sealed class AuthenticationRequiredTests : IAsyncLifetime
{
    // Login and health per the issue, plus the static CSS/JS files of the UI (checked separately below).
    private static readonly string[] AnonymousByDesign = ["/health", "/login", "/account/login"];

    private ZespanApp _app = default!;

    public async Task InitializeAsync() => _app = await new ZespanApp().StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // The framework's fallback for static files: its pattern, /{**path:file}, matches only paths with a file extension,
    // which are the UI's public CSS/JS (checked separately below); any other path falls through to the 404 for machines.
    private static bool IsStaticAsset(AppEndpoint endpoint) =>
        endpoint.Endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor") || endpoint.Pattern == "/{**path:file}";

    [Fact]
    public void EndpointList_OnlyLoginHealthAndStaticFiles_AllowAnonymous()
    {
        var endpoints = AppEndpoints.All(_app.Services);
        Assert.True(endpoints.Count > 20, "the app's endpoints could not be enumerated");
        var open = endpoints.Where(e => e.AllowsAnonymous && !IsStaticAsset(e)).Select(e => e.Pattern).Distinct().Order().ToList();
        Assert.Equal(AnonymousByDesign.Order().ToList(), open);
    }

    [Fact]
    public async Task EveryEndpoint_WithoutCredentials_IsRefused()
    {
        var anonymous = _app.Browser();
        var checkedCount = 0;
        foreach (var endpoint in AppEndpoints.All(_app.Services).Where(e => !AnonymousByDesign.Contains(e.Pattern) && !IsStaticAsset(e)))
        {
            foreach (var method in endpoint.Methods.Where(m => m != "HEAD"))
            {
                var request = new HttpRequestMessage(new HttpMethod(method), endpoint.Fill("probe-id"));
                if (method is "POST" or "PUT")
                    request.Content = new StringContent("{\"batch\":[]}", System.Text.Encoding.UTF8, "application/json");
                var response = await anonymous.SendAsync(request);
                var refused = response.StatusCode == HttpStatusCode.Unauthorized
                    || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/login", StringComparison.Ordinal));
                Assert.True(refused, $"{method} {endpoint.Pattern} answered {(int)response.StatusCode} without credentials");
                checkedCount++;
            }
        }
        Assert.True(checkedCount >= 20, $"only {checkedCount} endpoint methods were probed");
    }

    [Fact]
    public async Task ApiEndpoints_WithUiCookieOnly_Answer401()
    {
        var browser = await _app.LoggedInAsync("admin");
        foreach (var endpoint in AppEndpoints.All(_app.Services).Where(e => e.IsApi))
        {
            foreach (var method in endpoint.Methods)
            {
                var response = await browser.SendAsync(new HttpRequestMessage(new HttpMethod(method), endpoint.Fill("probe-id")));
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {endpoint.Pattern} answered {(int)response.StatusCode} to a UI cookie");
            }
        }
    }

    [Fact]
    public async Task UiPages_WithApiKeyOnly_RedirectToLogin()
    {
        var client = _app.ApiClient(ZespanApp.KeyA);
        foreach (var page in AppEndpoints.Pages(_app.Services).Where(p => !p.AllowsAnonymous))
        {
            var response = await client.GetAsync(page.Fill("probe-id"));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/login", response.Headers.Location!.ToString());
        }
    }

    [Fact]
    public async Task RevokedOrUnknownKey_Gets401_AndWritesNothing()
    {
        var response = await _app.ApiClient("zsp_unknown_key_0000000000000000").PostAsync("/api/v1/ingest",
            System.Net.Http.Json.JsonContent.Create(new { batch = new[] { Spans.Llm("s1", "t1", "sess-unknown", DateTimeOffset.UtcNow.AddMinutes(-5)) } }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var list = await _app.ApiClient(ZespanApp.KeyA).GetStringAsync("/api/v1/sessions");
        Assert.DoesNotContain("sess-unknown", list);
    }
}
