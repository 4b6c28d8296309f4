using System.Net.Http.Json;
using System.Text.Json;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>SQL injection strings in every filter and id, and markup in every stored field, change nothing and run nothing.</summary>
public sealed class UntrustedInputTests : IAsyncLifetime
{
    private static readonly string[] Injections =
    [
        "' OR '1'='1", "\" OR \"1\"=\"1", "x'; DROP TABLE spans; --", "1 OR 1=1", "') UNION SELECT name, sql FROM sqlite_master --",
        "%' OR 1=1 --", "x\" ) ; DELETE FROM sessions ; --",
    ];
    private const string Markup = "<script>alert('zsp')</script><img src=x onerror=alert(1)>";

    private ZespanApp _app = default!;

    public async Task InitializeAsync()
    {
        _app = await new ZespanApp().StartAsync();
        await _app.IngestAsync(ZespanApp.KeyA,
            Spans.Llm("safe-span", "safe-trace", "safe-session", DateTimeOffset.UtcNow.AddHours(-1), "safe-user"),
            Spans.Llm("evil-span", "evil-trace" + Markup, "evil-session" + Markup, DateTimeOffset.UtcNow.AddHours(-1), "evil-user" + Markup,
                prompt: Markup, metadata: new { feature = Markup }, tags: [Markup, "=HYPERLINK(\"http://evil\")"]));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task InjectionStrings_InEveryFilterAndId_MatchNothing_AndBreakNothing()
    {
        var client = _app.ApiClient(ZespanApp.KeyA);
        var filters = new[] { "userId", "sessionId", "traceId", "model", "status", "sort", "order", "cursor", "from", "to", "minTurns", "limit", "by", "bucket", "minRatio" };
        foreach (var endpoint in AppEndpoints.ApiReads(_app.Services))
        {
            foreach (var injection in Injections)
            {
                var urls = new List<string> { endpoint.Fill(injection) };
                urls.AddRange(filters.Select(f => endpoint.Fill("no-such-id") + $"?{f}={Uri.EscapeDataString(injection)}"));
                foreach (var url in urls)
                {
                    var response = await client.GetAsync(url);
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.True((int)response.StatusCode < 500, $"{url} answered {(int)response.StatusCode}: {body}");
                    Assert.DoesNotContain("CREATE TABLE", body);
                    if (url.Contains("userId=", StringComparison.Ordinal) || endpoint.Pattern.Contains("{userId}", StringComparison.Ordinal))
                        Assert.DoesNotContain("safe-user", body);
                }
            }
        }
        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/sessions");
        Assert.Equal(2, list.GetProperty("totalCount").GetInt32());
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/api/v1/sessions/safe-session")).GetProperty("session").GetProperty("turns").GetInt32());
    }

    [Fact]
    public async Task InjectionStrings_InLoginAndSettingsForms_AreJustText()
    {
        var browser = _app.Browser();
        foreach (var injection in Injections)
        {
            var response = await Forms.PostAsync(browser, "/login", "/account/login", new() { ["username"] = injection, ["password"] = injection });
            Assert.Contains("failed=1", response.Headers.Location!.ToString());
        }
        var admin = await _app.LoggedInAsync("admin");
        await Forms.PostBlazorFormAsync(admin, "/settings", "create-key", new() { ["NewKeyName"] = Injections[2] });
        var keys = await _app.Get<Zespan.Core.Storage.IProjectStore>().ListApiKeysAsync(_app.ProjectA.Id);
        Assert.Contains(keys, k => k.Name == Injections[2]);
    }

    [Fact]
    public async Task MarkupInStoredFields_IsEscapedOnEveryPage()
    {
        var admin = await _app.LoggedInAsync("admin");
        await Forms.PostBlazorFormAsync(admin, "/settings", "create-key", new() { ["NewKeyName"] = Markup });
        var pagesChecked = 0;
        foreach (var page in AppEndpoints.Pages(_app.Services).Where(p => !p.AllowsAnonymous))
        {
            foreach (var id in new[] { "evil-session" + Markup, "evil-trace" + Markup, "evil-user" + Markup, "evil-span" })
            {
                var response = await admin.GetAsync(page.Fill(id) + "?userId=" + Uri.EscapeDataString("evil-user" + Markup));
                var body = await response.Content.ReadAsStringAsync();
                Assert.DoesNotContain("<script>alert(", body);
                Assert.DoesNotContain("<img src=x", body);
                pagesChecked++;
            }
        }
        Assert.Contains("&lt;script&gt;alert(", await admin.GetStringAsync("/settings"));
        Assert.True(pagesChecked > 0);
    }

    [Fact]
    public async Task CsvExports_NeutraliseFormulas()
    {
        // Every endpoint that can answer CSV is found by name, so an export added later is covered without editing this test.
        var admin = await _app.LoggedInAsync("admin");
        var exports = AppEndpoints.All(_app.Services)
            .Where(e => e.Methods.Contains("GET") && (e.Pattern.Contains("csv", StringComparison.OrdinalIgnoreCase) || e.Pattern.Contains("export", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        foreach (var export in exports)
        {
            var client = export.IsApi ? _app.ApiClient(ZespanApp.KeyA) : admin;
            var csv = await client.GetStringAsync(export.Fill("evil-session" + Markup));
            foreach (var cell in csv.Split('\n').SelectMany(line => line.Split(',')))
            {
                var value = cell.Trim().Trim('"');
                Assert.False(value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !double.TryParse(value, out _),
                    $"{export.Pattern} exports a cell that a spreadsheet would run as a formula: {value}");
            }
        }
    }
}
