using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Zespan.Server.Tests;

/// <summary>
/// Sessions above $9,223,372.03 (2^63 picodollars), the bound a session's cost once stopped at (issue 12, migration 150):
/// sorting by cost — every API page and every cursor, in both directions, on each read path, and the sessions page's
/// Next and Previous links — and the overview's daily median and p95 equal what is recomputed here from the costUsd
/// values sent, never read back from the store.
/// </summary>
public sealed partial class SessionsAboveTheBoundTests : IAsyncLifetime
{
    private const string Password = "admin-password-for-sessions-above-the-bound";
    private const decimal Bound = 9_223_372.036854775807m;
    private readonly ZespanApp _app = new() { Settings = { ["ZESPAN_ADMIN_PASSWORD"] = Password } };
    private HttpClient _browser = null!;

    /// <summary>Session id and its calls' costUsd (null: a model without a price). Ids are not in cost order.</summary>
    private static readonly (string Id, decimal?[] Calls)[] Sent =
    [
        ("conv-a", Millions(20)),
        ("conv-b", Millions(10)),
        ("conv-c", Millions(30)),
        ("conv-d", [.. Millions(9), 300_000m]),          // $9.3M
        ("conv-e", Millions(20)),                        // ties with conv-a: by id
        ("conv-f", [.. Millions(9), 223_372.04m]),       // one cent above the bound
        ("conv-g", [.. Millions(9), 223_372.03m]),       // just below it, in one 64-bit part
        ("conv-h", [1m]),
        ("conv-i", [0m]),
        ("conv-j", [5m]),
        ("conv-k", [1m]),
        ("conv-l", [null]),
        ("conv-m", [null, null]),
        ("conv-n", Millions(15)),
    ];

    private static decimal?[] Millions(int count) => [.. Enumerable.Repeat<decimal?>(1_000_000m, count)];

    /// <summary>(unknown, cost, id) ascending, as docs/api.md states: an unknown cost above every known one.</summary>
    private static List<string> ExpectedOrder(bool descending)
    {
        var ascending = Sent
            .OrderBy(s => s.Calls.All(c => c is null)).ThenBy(s => s.Calls.Sum(c => c ?? 0)).ThenBy(s => s.Id, StringComparer.Ordinal)
            .Select(s => s.Id).ToList();
        if (descending)
            ascending.Reverse();
        return ascending;
    }

    public async Task InitializeAsync()
    {
        // Recent, so that the sessions page's default range holds them.
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var spans = Sent.SelectMany((s, i) => s.Calls.Select((cost, n) =>
        {
            var at = start.AddMinutes(i).AddSeconds(n);
            return Api.Span($"{s.Id}-{n}", sessionId: s.Id, traceId: $"t-{s.Id}", start: Timestamp(at), end: Timestamp(at.AddMilliseconds(500)),
                model: cost is null ? "no-such-model" : "gpt-4o",
                extra: (cost is { } usd ? $"\"costUsd\":{usd.ToString(CultureInfo.InvariantCulture)}," : "") + "\"userId\":\"whale\"");
        })).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await _app.ClientWithKey().IngestAsync(Api.Batch(spans))).StatusCode);

        _browser = await _app.LogInAsync(Password);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private static string Timestamp(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public void TheSessionsSent_AreOnBothSidesOfTheBound()
    {
        var costs = Sent.Select(s => s.Calls.Sum(c => c ?? 0)).ToList();
        Assert.Equal(7, costs.Count(c => c > Bound));
        Assert.Contains(costs, c => c < Bound && c > Bound - 0.01m);
    }

    public static TheoryData<string, int, string> PathsLimitsAndOrders()
    {
        var data = new TheoryData<string, int, string>();
        // The unfiltered list (rollup count, cost index), the planner's path (status), a date range, the user filter
        // (SQLite's own plan), the text search joined from its index (q of three characters or more), and a user's list.
        foreach (var path in new[] { "/api/v1/sessions?", "/api/v1/sessions?status=ok&", "/api/v1/sessions?from=2020-01-01T00:00:00.000Z&", "/api/v1/sessions?userId=whale&", "/api/v1/sessions?q=conv&", "/api/v1/users/whale/sessions?" })
        {
            foreach (var limit in new[] { 1, 2, 3, 4, 50 })
            {
                data.Add(path, limit, "asc");
                data.Add(path, limit, "desc");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsLimitsAndOrders))]
    public async Task SortByCost_EveryCursorPage_IsTheExactOrder(string path, int limit, string order)
    {
        var client = _app.ClientWithKey();
        var seen = new List<(string Id, double? Cost)>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync($"{path}sort=costUsd&order={order}&limit={limit}{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            var items = page["data"]!.AsArray();
            Assert.True(items.Count <= limit);
            seen.AddRange(items.Select(s => ((string)s!["sessionId"]!, (double?)s["costUsd"])));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null && seen.Count <= Sent.Length);

        Assert.Equal(ExpectedOrder(order == "desc"), seen.Select(s => s.Id));
        foreach (var (id, cost) in seen)
        {
            var calls = Sent.Single(s => s.Id == id).Calls;
            Assert.Equal(calls.All(c => c is null) ? null : (double)calls.Sum(c => c ?? 0), cost);
        }
    }

    [Theory]
    [InlineData("desc")]
    [InlineData("asc")]
    public async Task SessionsPage_ByCost_NextToTheEndAndPreviousBack_IsTheExactOrder(string order)
    {
        var url = $"/sessions?sort=costUsd&order={order}&limit=2";
        var forward = new List<List<string>>();
        while (true)
        {
            var html = await PageAsync(url);
            forward.Add(SessionIds(html));
            if (Link(html, "next") is not { } next)
                break;
            url = next;
            Assert.True(forward.Count <= Sent.Length, "paging did not end");
        }
        Assert.Equal(ExpectedOrder(order == "desc"), forward.SelectMany(p => p));

        for (var n = forward.Count - 1; n >= 1; n--)
        {
            url = Link(await PageAsync(url), "prev") ?? throw new Xunit.Sdk.XunitException($"no Previous link on page {n + 1}");
            Assert.Equal(forward[n - 1], SessionIds(await PageAsync(url)));
        }
    }

    [Fact]
    public async Task Overview_DailyMedianAndP95_AreExactAboveTheBound()
    {
        var (_, key) = await _app.CreateProjectAsync("Overview above the bound");
        var client = _app.ClientWithKey(key);
        // Day 1: $1, $10M, $20M, $30M. Day 2: $9.3M and $20M, and one unpriced session.
        var days = new (string Day, string Id, decimal?[] Calls)[]
        {
            ("2026-11-20", "d1-one", [1m]), ("2026-11-20", "d1-ten", Millions(10)), ("2026-11-20", "d1-twenty", Millions(20)), ("2026-11-20", "d1-thirty", Millions(30)),
            ("2026-11-21", "d2-nine", [.. Millions(9), 300_000m]), ("2026-11-21", "d2-twenty", Millions(20)), ("2026-11-21", "d2-unpriced", [null]),
        };
        var spans = days.SelectMany(s => s.Calls.Select((cost, n) => Api.Span(
            $"{s.Id}-{n}", sessionId: s.Id, traceId: $"t-{s.Id}", start: $"{s.Day}T{n % 24:00}:10:00.000Z", end: $"{s.Day}T{n % 24:00}:10:01.000Z",
            model: cost is null ? "no-such-model" : "gpt-4o", extra: cost is { } usd ? $"\"costUsd\":{usd.ToString(CultureInfo.InvariantCulture)}" : ""))).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch(spans))).StatusCode);

        var overview = (await client.GetJsonAsync("/api/v1/sessions/overview"))["days"]!.AsArray();
        Assert.Equal(2, overview.Count);
        foreach (var (day, row) in new[] { "2026-11-20", "2026-11-21" }.Zip(overview))
        {
            var priced = days.Where(s => s.Day == day && s.Calls.Any(c => c is not null)).Select(s => s.Calls.Sum(c => c ?? 0)).Order().ToList();
            // Median: the middle value, or the mean of the two middle values; p95: the nearest rank.
            var median = priced.Count % 2 == 1 ? priced[priced.Count / 2] : (priced[priced.Count / 2 - 1] + priced[priced.Count / 2]) / 2;
            var p95 = priced[(int)Math.Ceiling(0.95 * priced.Count) - 1];
            Assert.StartsWith(day, (string)row!["day"]!);
            Assert.Equal(priced.Count, (long)row["pricedSessions"]!);
            Assert.Equal((double)median, (double)row["medianCostUsd"]!);
            Assert.Equal((double)p95, (double)row["p95CostUsd"]!);
        }
        Assert.Equal(15_000_000, (double)overview[0]!["medianCostUsd"]!);
        Assert.Equal(14_650_000, (double)overview[1]!["medianCostUsd"]!);
    }

    [Fact]
    public async Task Compare_PerModelAndCumulativeCost_AreExactAboveTheBound()
    {
        var compared = (await _app.ClientWithKey().GetJsonAsync("/api/v1/sessions/compare?ids=conv-c,conv-d"))["sessions"]!.AsArray();
        foreach (var (item, id) in compared.Zip(new[] { "conv-c", "conv-d" }))
        {
            var calls = Sent.Single(s => s.Id == id).Calls;
            var total = (double)calls.Sum(c => c ?? 0);
            Assert.Equal(total, (double)Assert.Single(item!["tokensByModel"]!.AsArray())!["costUsd"]!);
            var curve = item["cumulativeCostUsd"]!.AsArray();
            Assert.Equal(calls.Length, curve.Count);
            Assert.Equal(total, (double)curve[^1]!);
            Assert.Equal((double)calls.Take(10).Sum(c => c ?? 0), (double)curve[9]!); // the running sum at $10M, past the bound
        }
        var html = await PageAsync("/sessions/compare?ids=conv-c,conv-d");
        Assert.Contains("data-last=\"30000000\"", html);
    }

    private async Task<string> PageAsync(string path)
    {
        var response = await _browser.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    private static List<string> SessionIds(string html) => [.. SessionRow().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private static string? Link(string html, string rel)
    {
        var match = Regex.Match(html, $"<a class=\"button\" rel=\"{rel}\" href=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    [GeneratedRegex("<tr class=\"row-link\" data-session-id=\"([^\"]*)\"")]
    private static partial Regex SessionRow();
}
