using System.Net;
using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>Bad query parameters get 400 problem details that name the parameter.</summary>
public sealed class QueryValidationTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private readonly HttpClient _client = app.ClientWithKey();

    [Theory]
    [InlineData("/api/v1/sessions?sort=price", "\"sort\"")]
    [InlineData("/api/v1/sessions?order=up", "\"order\"")]
    [InlineData("/api/v1/sessions?limit=0", "\"limit\"")]
    [InlineData("/api/v1/sessions?limit=501", "\"limit\"")]
    [InlineData("/api/v1/sessions?limit=ten", "\"limit\"")]
    [InlineData("/api/v1/sessions?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/v1/sessions?cursor=%%%", "cursor")]
    [InlineData("/api/v1/sessions?status=failed", "\"status\"")]
    [InlineData("/api/v1/sessions?from=yesterday", "\"from\"")]
    [InlineData("/api/v1/sessions?to=2026-13-01T00:00:00Z", "\"to\"")]
    [InlineData("/api/v1/sessions?from=2026-11-20T00:00:00Z&to=2026-11-19T00:00:00Z", "\"to\" is before \"from\"")]
    [InlineData("/api/v1/sessions?minTurns=-1", "\"minTurns\"")]
    [InlineData("/api/v1/users/u1/sessions?sort=nope", "\"sort\"")]
    [InlineData("/api/v1/sessions/stats?status=maybe", "\"status\"")]
    [InlineData("/api/v1/sessions/breakdown?by=country", "\"by\"")]
    [InlineData("/api/v1/sessions/outliers?minRatio=0.5", "\"minRatio\"")]
    [InlineData("/api/v1/traces?status=bad", "\"status\"")]
    [InlineData("/api/v1/traces?cursor=zzz", "cursor")]
    [InlineData("/api/v1/costs/models?from=last-week", "\"from\"")]
    [InlineData("/api/v1/costs/timeseries?from=2026-11-01T00:00:00Z", "\"to\"")]
    [InlineData("/api/v1/costs/timeseries?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&bucket=week", "\"bucket\"")]
    public async Task BadParameter_Gets400NamingIt(string url, string named)
    {
        var response = await _client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, (string)JsonNode.Parse(text)!["detail"]!);
    }

    [Fact]
    public async Task Cursor_FromOneSort_IsRefusedOnAnother()
    {
        var spans = Enumerable.Range(0, 3).Select(i => Api.Span($"cursor-{i}", sessionId: $"cursor-conv-{i}", traceId: "cursor-trace")).ToArray();
        await _client.IngestAsync(Api.Batch(spans));
        var page = await _client.GetJsonAsync("/api/v1/sessions?sort=turns&limit=1");
        var cursor = (string)page["nextCursor"]!;
        Assert.NotNull(cursor);

        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/api/v1/sessions?sort=turns&limit=1&cursor={cursor}")).StatusCode);
        foreach (var other in new[] { "sort=costUsd", "sort=turns&order=asc", "" })
        {
            var response = await _client.GetAsync($"/api/v1/sessions?{other}&limit=1&cursor={cursor}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("different sort", (string)(await response.ReadJsonAsync())["detail"]!);
        }
    }

    [Fact]
    public async Task SessionsList_PagesThroughTheApi_ReachEverySessionOnce()
    {
        var spans = Enumerable.Range(0, 9).Select(i => Api.Span($"paging-{i}", sessionId: $"paging-conv-{i}", traceId: "paging-trace", extra: "\"userId\":\"pager\"")).ToArray();
        await _client.IngestAsync(Api.Batch(spans));
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _client.GetJsonAsync($"/api/v1/users/pager/sessions?sort=costUsd&order=asc&limit=2{(cursor is null ? "" : "&cursor=" + cursor)}");
            Assert.Equal(9, (long)page["totalCount"]!);
            seen.AddRange(page["data"]!.AsArray().Select(s => (string)s!["sessionId"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"paging-conv-{i}").Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(9, seen.Distinct().Count());
    }

    [Fact]
    public async Task UnknownSessionOrTrace_Gets404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/sessions/no-such-session")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/traces/no-such-trace")).StatusCode);
    }
}
