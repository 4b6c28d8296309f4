using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Zespan.Server.Tests;

/// <summary>
/// Every id ingestion accepts is readable through every page over real Kestrel, by following the links the pages make:
/// the session, user and trace pages, the user page's sort and filter links, its CSV export and the project switcher's
/// return URL. Blazor matches its routes against the decoded path, so ids with "?", "#" or a literal "%2F" used to
/// answer "not found" when they travelled in a path segment.
/// </summary>
public sealed partial class IdPageRoutingTests : IAsyncLifetime
{
    private const string Password = "admin-password-for-id-pages";
    private readonly KestrelZespanApp _app = new() { Settings = { ["ZESPAN_ADMIN_PASSWORD"] = Password } };
    private HttpClient _browser = null!;

    private static readonly string[] AllIds = ["a?b=c", "a#b", "50%2F50", "100% %41", "with space", "café ☕ \U0001F600", "org/7/conv-1", "..", "plain-1"];

    public static TheoryData<string> Ids => [.. AllIds];

    public async Task InitializeAsync()
    {
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);
        string start = hourAgo.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), end = hourAgo.AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var items = AllIds.Select(id =>
        {
            var node = JsonNode.Parse(Api.Span("placeholder", start: start, end: end))!.AsObject();
            node["id"] = "span:" + id; node["sessionId"] = "s:" + id; node["traceId"] = "t:" + id; node["userId"] = "u:" + id;
            return node.ToJsonString();
        });
        var ingested = await _app.ClientWithKey().IngestAsync(Api.Batch([.. items]));
        Assert.True(ingested.StatusCode == HttpStatusCode.OK, await ingested.Content.ReadAsStringAsync());

        // On Kestrel the options' default base address (http://localhost) is not the server's: take the one it listens on.
        var server = _app.CreateClient().BaseAddress;
        _browser = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = server! });
        var login = await _browser.GetStringAsync("/login");
        var token = WebUtility.HtmlDecode(TokenInput().Match(login).Groups[1].Value);
        await _browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin", ["password"] = Password, ["__RequestVerificationToken"] = token,
        }));
        // The Kestrel client follows the redirect after login whatever the options say: check the session instead.
        Assert.Contains("Log out", await _browser.GetStringAsync("/sessions"));
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task EveryPage_ReachesTheId_ByTheLinksThePagesMake(string id)
    {
        string session = "s:" + id, user = "u:" + id, trace = "t:" + id;
        var traces = await PageAsync($"/traces?sessionId={Uri.EscapeDataString(session)}");
        var sessionPage = await FollowAsync(traces, "/sessions/", "session-id", session);
        var tracePage = await FollowAsync(traces, "/traces/", "trace-id", trace);
        var userPage = await FollowAsync(traces, "/users/", "user-id", user);

        await FollowAsync(sessionPage.Html, "/users/", "user-id", user);
        await FollowAsync(sessionPage.Html, "/traces/", "trace-id", trace);
        await FollowAsync(tracePage.Html, "/sessions/", "session-id", session);
        await FollowAsync(userPage.Html, "/sessions/", "session-id", session);

        // The project switcher returns to the page it was opened on, byte for byte.
        Assert.Equal(sessionPage.Url, Decode(ReturnUrlInput().Match(sessionPage.Html).Groups[1].Value));
        Assert.Equal(userPage.Url, Decode(ReturnUrlInput().Match(userPage.Html).Groups[1].Value));

        // The user page's own links keep the user: a sort header, and the filter form submitted as a browser would.
        var sortLink = Hrefs(userPage.Html).First(h => h.Contains("sort=turns", StringComparison.Ordinal));
        Assert.Equal(user, Element(await PageAsync(sortLink), "user-id"));
        var form = FilterForm().Match(userPage.Html);
        var fields = HiddenInput().Matches(form.Groups[2].Value).Select(m => $"{Uri.EscapeDataString(Decode(m.Groups[1].Value))}={Uri.EscapeDataString(Decode(m.Groups[2].Value))}");
        var filtered = await PageAsync($"{Decode(form.Groups[1].Value)}?{string.Join('&', [.. fields, "minTurns=1"])}");
        Assert.Equal(user, Element(filtered, "user-id"));
        Assert.Contains(session, Decode(filtered));

        var csvLink = Hrefs(userPage.Html).Single(h => h.Contains("/sessions.csv", StringComparison.Ordinal));
        Assert.Contains(session, await _browser.GetStringAsync(csvLink));
    }

    private async Task<(string Url, string Html)> FollowAsync(string html, string prefix, string testId, string expected)
    {
        var link = Hrefs(html).First(h => h.StartsWith(prefix, StringComparison.Ordinal) && !h.EndsWith(".csv", StringComparison.Ordinal));
        var page = await PageAsync(link);
        Assert.True(Element(page, testId) == expected, $"{link} shows {Element(page, testId)}, not {expected}");
        return (link, page);
    }

    private async Task<string> PageAsync(string url)
    {
        var response = await _browser.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    private static string Decode(string html) => WebUtility.HtmlDecode(html);

    private static string Element(string html, string testId) =>
        Decode(Regex.Match(html, $"data-testid=\"{testId}\"[^>]*>([^<]*)<").Groups[1].Value);

    private static IEnumerable<string> Hrefs(string html) => Href().Matches(html).Select(m => Decode(m.Groups[1].Value));

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();

    [GeneratedRegex("name=\"returnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlInput();

    [GeneratedRegex("<form method=\"get\" action=\"([^\"]*)\"[^>]*data-testid=\"session-filters\">(.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FilterForm();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
