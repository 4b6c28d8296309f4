using System.Net;
using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>
/// GET /api/v1/sessions?sort=costUsd keeps an unknown cost apart from $0 (docs/api.md): sessions with no priced call come
/// last ascending and first descending, and paging by nextCursor visits exactly the order recomputed from what was sent.
/// </summary>
public sealed class SessionCostSortApiTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    [Theory]
    [InlineData("asc")]
    [InlineData("desc")]
    public async Task PagingByCost_UnpricedApartFromFree_EqualsTheRecomputedOrder(string order)
    {
        var (_, key) = await app.CreateProjectAsync($"Sort {order}");
        var client = app.ClientWithKey(key);
        // Every third session unpriced, every third priced at exactly $0, the rest priced with ties.
        var sent = Enumerable.Range(0, 12).Select(i => (Id: $"c-{(i * 5) % 12:D2}", Cost: (i % 3) switch { 0 => (decimal?)null, 1 => 0m, _ => i % 4 * 0.001m })).ToList();
        var body = Api.Batch([.. sent.Select((s, i) => Api.Span($"span-{i}", sessionId: s.Id, traceId: $"t-{i}",
            model: s.Cost is null ? "no-such-model" : "gpt-4o", extra: s.Cost is { } c ? $"\"costUsd\":{c.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : ""))]);
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(body)).StatusCode);

        var expected = sent.OrderBy(s => s.Cost is null).ThenBy(s => s.Cost).ThenBy(s => s.Id, StringComparer.Ordinal).Select(s => s.Id).ToList();
        if (order == "desc")
            expected.Reverse();

        var seen = new List<(string Id, double? Cost)>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync($"/api/v1/sessions?sort=costUsd&order={order}&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page["data"]!.AsArray().Select(s => ((string)s!["sessionId"]!, (double?)s["costUsd"])));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null && seen.Count <= sent.Count);

        Assert.Equal(expected, seen.Select(s => s.Id));
        // Unknown is null, never $0, and the $0 sessions are the genuinely free ones.
        Assert.Equal(sent.Where(s => s.Cost is null).Select(s => s.Id).Order(), seen.Where(s => s.Cost is null).Select(s => s.Id).Order());
        Assert.Equal(sent.Count(s => s.Cost == 0), seen.Count(s => s.Cost == 0));
    }
}
