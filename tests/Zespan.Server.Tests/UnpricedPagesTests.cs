using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Zespan.Server.Tests;

/// <summary>
/// The pages say "unpriced", never $0, for figures made only of unpriced calls: the trace page header, the traces list,
/// the Costs page's total, per-model row and per-conversation figures. Server-rendered HTML read over real HTTP after a
/// real login.
/// </summary>
public sealed partial class UnpricedPagesTests : IAsyncLifetime
{
    private const string Password = "admin-password-for-unpriced-pages";
    private readonly ZespanApp _app = new() { Settings = { ["ZESPAN_ADMIN_PASSWORD"] = Password } };
    private HttpClient _browser = null!;

    public async Task InitializeAsync()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        string At(int seconds) => start.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var response = await _app.ClientWithKey().IngestAsync(Api.Batch(
            Api.Span("up-1", sessionId: "up-conv", traceId: "up-trace", model: "no-such-model", start: At(0), end: At(1)),
            Api.Span("up-2", sessionId: "up-conv", traceId: "up-trace", model: "no-such-model", start: At(2), end: At(3))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        _browser = await _app.LogInAsync(Password);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TracePage_HeaderSaysUnpriced()
    {
        var html = await PageAsync("/traces/up-trace");
        Assert.Equal("unpriced", Element(html, "trace-cost"));
    }

    [Fact]
    public async Task CostsPage_TotalModelRowAndPerConversationFiguresSayUnpriced()
    {
        var html = await PageAsync("/costs?range=7d");
        Assert.Equal("unpriced", Element(html, "cost-total"));
        Assert.Equal("unpriced", Element(html, "cost-avg"));
        var modelTable = html[html.IndexOf("data-testid=\"cost-by-model\"", StringComparison.Ordinal)..];
        modelTable = modelTable[..modelTable.IndexOf("</table>", StringComparison.Ordinal)];
        Assert.Contains(">unpriced</td>", modelTable);
        Assert.DoesNotContain("$0.00", modelTable);
    }

    [Fact]
    public async Task CostsPage_BreakdownGroupOfUnpricedSessionsSaysUnpriced()
    {
        foreach (var group in new[] { "user", "tag" })
        {
            var html = await PageAsync($"/costs?range=7d&group={group}");
            var table = html[html.IndexOf("data-testid=\"cost-breakdown\"", StringComparison.Ordinal)..];
            table = table[..table.IndexOf("</table>", StringComparison.Ordinal)];
            Assert.Contains("(not set)", table);
            Assert.Contains(">unpriced</td>", table);
            Assert.DoesNotContain("$0", table);
        }
    }

    [Fact]
    public async Task TracesList_RowSaysUnpriced()
    {
        var html = await PageAsync("/traces");
        Assert.Contains(">unpriced</td>", html);
    }

    private async Task<string> PageAsync(string path)
    {
        var response = await _browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string Element(string html, string testId)
    {
        var match = Regex.Match(html, $"data-testid=\"{testId}\"[^>]*>([^<]*)<");
        Assert.True(match.Success, $"no element {testId}");
        return match.Groups[1].Value.Trim();
    }
}
