using System.Net;
using System.Text.RegularExpressions;

namespace Zespan.Reliability.Tests.Infrastructure;

/// <summary>A browser-like client logged into the web UI through the real login form (antiforgery token included).</summary>
public static partial class UiLogin
{
    public static async Task<HttpClient> LoginAsync(string baseUrl, string username, string password)
    {
        var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(baseUrl),
        };
        var html = await browser.GetStringAsync("/login");
        var token = TokenInput().Match(html);
        Assert.True(token.Success, "/login renders no antiforgery token");
        var response = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("failed", response.Headers.Location?.ToString() ?? "");
        return browser;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
