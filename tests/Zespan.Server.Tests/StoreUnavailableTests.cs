using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Zespan.Core;
using Zespan.Core.Costs;
using Zespan.Core.Storage;
using Zespan.Server.Api;
using Zespan.Server.Web;

namespace Zespan.Server.Tests;

/// <summary>
/// A store that does not answer (on ClickHouse: no node reachable, or a statement stopped at its time or memory limit,
/// as cost by model was at 10 M spans) gives 503 with Retry-After and problem details, never the store's own message.
/// </summary>
public sealed class StoreUnavailableTests
{
    private const string Internals = "ClickHouse refused the statement (500): Code: 241, Memory limit (for query) exceeded";

    /// <summary>The real cost reader behind a store that stops every statement at its memory limit.</summary>
    private sealed class StoppedAtItsLimit : ICostReader
    {
        public Task<IReadOnlyList<ModelCost>> ByModelAsync(long projectId, TimeRange range, CancellationToken cancellationToken = default) =>
            throw new StoreUnavailableException(Internals);

        public Task<IReadOnlyList<CostBucket>> OverTimeAsync(long projectId, TimeRange range, long bucketMs, CancellationToken cancellationToken = default) =>
            throw new StoreUnavailableException(Internals);
    }

    [Fact]
    public async Task AReadTheStoreCannotAnswer_Gets503WithRetryAfter_AndNoInternals()
    {
        await using var app = new ZespanApp { ConfigureServices = services => services.AddSingleton<ICostReader>(new StoppedAtItsLimit()) };
        var client = app.ClientWithKey();

        foreach (var path in new[] { "/api/v1/costs/models", "/api/v1/costs/timeseries?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&bucket=hour" })
        {
            using var response = await client.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{path}: {(int)response.StatusCode} {text}");
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(text)!;
            Assert.Equal((503, StoreUnavailableProblems.Title, StoreUnavailableProblems.Detail),
                ((int)problem["status"]!, (string)problem["title"]!, (string)problem["detail"]!));
            Assert.DoesNotContain("Code: 241", text, StringComparison.Ordinal);
        }

        // The API document says so for every endpoint of the API; ingestion keeps its own text (nothing was stored).
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        Assert.Equal(ApiDocs.StoreUnavailable, (string?)document["paths"]!["/api/v1/costs/models"]!["get"]!["responses"]!["503"]!["description"]);
        Assert.StartsWith("The database could not be written", (string?)document["paths"]!["/api/v1/ingest"]!["post"]!["responses"]!["503"]!["description"]);

        // The rest of the server still answers.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/sessions")).StatusCode);
    }
}
