using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>
/// Ids with URL characters are readable through every page, the links the pages make and the CSV export; payloads stored
/// with lone surrogate escapes (accepted before issue 12) no longer break the trace API or the pages.
/// </summary>
public sealed partial class IdReadabilityTests : IAsyncLifetime
{
    // No literal "%2F" here: TestServer keeps no request line, so only Kestrel tells it from an encoded slash (Zespan.Server.Tests.IdRoutingTests).
    private const string SessionId = "org/7/conv-1 ?#%";
    private const string UserId = "team/alice";
    private const string TraceId = "trace/1 %25";
    private const string SpanId = "span/1?x=#";

    private ZespanApp _app = default!;

    public async Task InitializeAsync()
    {
        _app = await new ZespanApp().StartAsync();
        var start = _app.Clock.GetUtcNow().AddHours(-1);
        await _app.IngestAsync(ZespanApp.KeyA, Spans.Llm(SpanId, TraceId, SessionId, start, UserId, prompt: "slashes everywhere"));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task PagesLinksAndCsv_ReachIdsWithSlashesAndEscapes()
    {
        var browser = await _app.LoggedInAsync("admin");
        static string E(string id) => Uri.EscapeDataString(id);

        var sessionPage = await PageAsync(browser, $"/sessions/{E(SessionId)}");
        Assert.Contains(SessionId, sessionPage);
        var links = Hrefs(sessionPage).Where(h => h.StartsWith("/users/") || h.StartsWith("/traces")).Distinct().ToList();
        // Ids that are not plain ASCII words travel in the query (IdLinks): Blazor matches routes on the decoded path.
        Assert.Contains($"/users/by-id?id={E(UserId)}", links);
        Assert.Contains($"/traces/by-id?id={E(TraceId)}&span={E(SpanId)}", links);
        foreach (var link in links)
            await PageAsync(browser, link);

        var userPage = await PageAsync(browser, $"/users/{E(UserId)}");
        Assert.Contains(SessionId, userPage);
        Assert.Contains($"/users/{E(UserId)}/sessions.csv", Hrefs(userPage));
        Assert.Contains($"/sessions/by-id?id={E(SessionId)}", Hrefs(userPage));

        var tracePage = await PageAsync(browser, $"/traces/{E(TraceId)}?span={E(SpanId)}");
        Assert.Contains(SpanId, tracePage);
        Assert.Contains($"/sessions/by-id?id={E(SessionId)}", Hrefs(tracePage));

        var tracesList = await PageAsync(browser, $"/traces?sessionId={E(SessionId)}");
        Assert.Contains($"/traces/by-id?id={E(TraceId)}", Hrefs(tracesList));

        var csv = await browser.GetStringAsync($"/users/{E(UserId)}/sessions.csv");
        Assert.Contains(SessionId, csv);
        Assert.Contains(UserId, csv);
    }

    [Fact]
    public async Task StoredLoneSurrogateEscapes_AreShownAsReplacementCharacters()
    {
        var start = _app.Clock.GetUtcNow().AddMinutes(-30).ToUnixTimeMilliseconds();
        // Written below the API, as such spans were stored before ingestion refused them.
        await _app.Get<ISpanWriter>().WriteAsync([new ProjectSpan(_app.ProjectA.Id, new SpanRecord
        {
            Id = "old-bad", TraceId = "old-bad-trace", SessionId = "old-bad-session", Name = "chat", Kind = SpanKind.Llm, Model = "gpt-4o",
            StartMs = start, EndMs = start + 1000, Usage = new TokenUsage(10, 5, 0, 0), CostPico = 1,
            InputJson = """[{"role":"user","content":"a\udc00b \\udc00 \ud83d\ude00"}]""", OutputJson = "\"\\ud800\"",
            MetadataJson = """{"k":"\udfff"}""",
        })]);

        var client = _app.ApiClient(ZespanApp.KeyA);
        var trace = await client.GetAsync("/api/v1/traces/old-bad-trace");
        Assert.Equal(HttpStatusCode.OK, trace.StatusCode);
        var span = JsonDocument.Parse(await trace.Content.ReadAsStringAsync()).RootElement.GetProperty("spans")[0];
        Assert.Equal("a\uFFFDb \\udc00 \U0001F600", span.GetProperty("input")[0].GetProperty("content").GetString());
        Assert.Equal("\uFFFD", span.GetProperty("output").GetString());
        Assert.Equal("\uFFFD", span.GetProperty("metadata").GetProperty("k").GetString());

        var browser = await _app.LoggedInAsync("admin");
        Assert.Contains("a\uFFFDb", await PageAsync(browser, "/traces/old-bad-trace"));
        Assert.Contains("a\uFFFDb", await PageAsync(browser, "/sessions/old-bad-session"));
    }

    private static async Task<string> PageAsync(HttpClient browser, string url)
    {
        var response = await browser.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        return WebUtility.HtmlDecode(html);
    }

    private static IEnumerable<string> Hrefs(string decodedHtml) => Href().Matches(decodedHtml).Select(m => m.Groups[1].Value);

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();
}
