using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Zespan.Server.Tests;

/// <summary>
/// The Traces view pages both ways with keyset cursors: forward to the last page and back to the first shows exactly the
/// same rows per page, in the order the rows were written in (newest first, ties broken by trace id), and the URL never
/// grows. Server-rendered HTML over real HTTP after a real login, on a real SQLite file.
/// </summary>
public sealed partial class TracePagingTests : IAsyncLifetime
{
    private const string Password = "admin-password-for-trace-paging";
    private const int Traces = 250;
    private const int Limit = 6;
    private readonly ZespanApp _app = new() { Settings = { ["ZESPAN_ADMIN_PASSWORD"] = Password } };
    private HttpClient _browser = null!;
    private List<string> _newestFirst = null!;

    public async Task InitializeAsync()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        string At(double seconds) => start.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        // Pairs of traces start in the same millisecond, so the trace id must break ties the same way in both directions.
        var traces = Enumerable.Range(0, Traces).Select(i => (Id: $"tp-{(i * 7919) % 1000:D3}-{i}", Start: i / 2)).ToList();
        var spans = traces.Select(t => Api.Span($"s-{t.Id}", traceId: t.Id, start: At(t.Start), end: At(t.Start + 0.5))).ToArray();
        var api = _app.ClientWithKey();
        foreach (var chunk in spans.Chunk(50))
        {
            var response = await api.IngestAsync(Api.Batch(chunk));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        _newestFirst = [.. traces.OrderByDescending(t => t.Start).ThenByDescending(t => t.Id, StringComparer.Ordinal).Select(t => t.Id)];
        for (var attempt = 0; ; attempt++)
        {
            var list = await api.GetJsonAsync("/api/v1/traces?limit=1");
            if (list["totalCount"]!.GetValue<long>() == Traces)
                break;
            Assert.True(attempt < 100, "the traces were not all listed");
            await Task.Delay(100);
        }

        _browser = await _app.LogInAsync(Password);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ForwardToTheEndAndBack_SamePagesInReverse_UrlDoesNotGrow()
    {
        var pages = (Traces + Limit - 1) / Limit;
        var url = $"/traces?status=ok&limit={Limit}";
        var forward = new List<List<string>>();
        var longest = 0;
        for (var n = 1; ; n++)
        {
            var html = await PageAsync(url);
            Assert.Equal(n.ToString(CultureInfo.InvariantCulture), PageNumber(html));
            forward.Add(TraceIds(html));
            longest = Math.Max(longest, url.Length);
            if (Link(html, "next") is not { } next)
                break;
            url = next;
        }
        Assert.Equal(pages, forward.Count);
        Assert.Equal(_newestFirst, forward.SelectMany(p => p));

        for (var n = pages - 1; n >= 1; n--)
        {
            url = Link(await PageAsync(url), "prev") ?? throw new Xunit.Sdk.XunitException($"no Previous link on page {n + 1}");
            var html = await PageAsync(url);
            Assert.Equal(n.ToString(CultureInfo.InvariantCulture), PageNumber(html));
            Assert.Equal(forward[n - 1], TraceIds(html));
            longest = Math.Max(longest, url.Length);
        }
        Assert.Null(Link(await PageAsync(url), "prev"));
        // One cursor and a page number, whatever the depth (a list of earlier cursors grew ~59 characters a page).
        Assert.True(longest < 160, $"the longest paging URL was {longest} characters");
    }

    [Fact]
    public async Task ALinkThatIsNotOurs_IsRefusedWith400AndSaysWhatToDo()
    {
        var response = await _browser.GetAsync("/traces?before=not-a-cursor");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Start again from the first page", await response.Content.ReadAsStringAsync());
    }

    private async Task<string> PageAsync(string path)
    {
        var response = await _browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static List<string> TraceIds(string html) => [.. TraceRow().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private static string PageNumber(string html) => PageNumberElement().Match(html).Groups[1].Value;

    private static string? Link(string html, string rel)
    {
        var match = Regex.Match(html, $"<a class=\"button\" rel=\"{rel}\" href=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    [GeneratedRegex("data-trace-id=\"([^\"]*)\"")]
    private static partial Regex TraceRow();

    [GeneratedRegex("data-testid=\"page-number\">([0-9]+)<")]
    private static partial Regex PageNumberElement();
}
