using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>A project's own price (PUT /api/v1/prices/{model}) prices spans ingested afterwards.</summary>
public sealed class PricingApiTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    [Fact]
    public async Task PriceOverride_ChangesTheCostOfSpansIngestedAfterwards()
    {
        var (_, key) = await app.CreateProjectAsync("Prices");
        var client = app.ClientWithKey(key);
        var other = app.ClientWithKey(); // the default project keeps built-in prices

        await client.IngestAsync(Api.Batch(Api.Span("before", sessionId: "before-conv", traceId: "price-trace", input: 1_200, output: 300, cached: 1_000)));
        var put = await client.PutAsync("/api/v1/prices/gpt-4o", Api.Json("{\"inputPerMillion\": 1.0, \"outputPerMillion\": 2.0}"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await client.IngestAsync(Api.Batch(Api.Span("after", sessionId: "after-conv", traceId: "price-trace", model: "gpt-4o-2024-08-06", input: 1_200, output: 300, cached: 1_000)));
        await other.IngestAsync(Api.Batch(Api.Span("other-after", sessionId: "other-price-conv", traceId: "other-price-trace", input: 1_200, output: 300, cached: 1_000)));

        // Built-in: 200 × 2.50 + 1000 × 1.25 + 300 × 10 = $0.00475. Override without a cached price: 1200 × 1 + 300 × 2 = $0.0018.
        Assert.Equal(0.00475, (double)(await client.GetJsonAsync("/api/v1/sessions/before-conv"))["session"]!["costUsd"]!, 12);
        Assert.Equal(0.0018, (double)(await client.GetJsonAsync("/api/v1/sessions/after-conv"))["session"]!["costUsd"]!, 12);
        Assert.Equal(0.00475, (double)(await other.GetJsonAsync("/api/v1/sessions/other-price-conv"))["session"]!["costUsd"]!, 12);
        var spans = (await client.GetJsonAsync("/api/v1/traces/price-trace"))["spans"]!.AsArray();
        Assert.Equal("built-in-price", (string)spans.Single(s => (string)s!["id"]! == "before")!["costSource"]!);
        Assert.Equal("project-price", (string)spans.Single(s => (string)s!["id"]! == "after")!["costSource"]!);

        var prices = await client.GetJsonAsync("/api/v1/prices");
        var own = Assert.Single(prices["projectPrices"]!.AsArray())!;
        Assert.Equal(("gpt-4o", 1.0m, 2.0m), ((string)own["model"]!, (decimal)own["inputPerMillion"]!, (decimal)own["outputPerMillion"]!));

        // Removing the override restores the built-in price for later spans.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/prices/gpt-4o")).StatusCode);
        await client.IngestAsync(Api.Batch(Api.Span("restored", sessionId: "restored-conv", traceId: "price-trace", input: 1_200, output: 300, cached: 1_000)));
        Assert.Equal(0.00475, (double)(await client.GetJsonAsync("/api/v1/sessions/restored-conv"))["session"]!["costUsd"]!, 12);
    }

    [Fact]
    public async Task CacheWrites_ArePricedAtTheCacheWritePrice_BuiltInAndTheProjectsOwn()
    {
        var (_, key) = await app.CreateProjectAsync("Cache writes");
        var client = app.ClientWithKey(key);
        const string Usage = "\"usage\":{\"inputTokens\":10000,\"outputTokens\":200,\"cachedInputTokens\":6000,\"cacheCreationInputTokens\":3000}";
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch(
            Api.Span("built-in", sessionId: "cw-built-in", traceId: "cw-trace", model: "claude-sonnet-4-5-20250929", extra: Usage)))).StatusCode);

        // Built-in Sonnet 4.5 ($/M: 3 input, 0.30 cache read, 3.75 cache write, 15 output):
        // 1,000 × 3 + 6,000 × 0.30 + 3,000 × 3.75 + 200 × 15 = $0.01905 (with the writes as plain input it was $0.0168).
        Assert.Equal(0.01905, (double)(await client.GetJsonAsync("/api/v1/sessions/cw-built-in"))["session"]!["costUsd"]!, 12);
        var call = Assert.Single((await client.GetJsonAsync("/api/v1/sessions/cw-built-in"))["timeline"]!.AsArray())!;
        Assert.Equal((10_000L, 6_000L, 3_000L), ((long)call["inputTokens"]!, (long)call["cachedInputTokens"]!, (long)call["cacheCreationInputTokens"]!));
        var span = Assert.Single((await client.GetJsonAsync("/api/v1/traces/cw-trace"))["spans"]!.AsArray())!;
        Assert.Equal(3_000L, (long)span["usage"]!["cacheCreationInputTokens"]!);

        var put = await client.PutAsync("/api/v1/prices/claude-sonnet-4-5",
            Api.Json("{\"inputPerMillion\": 2, \"cachedInputPerMillion\": 0.2, \"cacheCreationInputPerMillion\": 5, \"outputPerMillion\": 10}"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await client.IngestAsync(Api.Batch(Api.Span("own", sessionId: "cw-own", traceId: "cw-trace", model: "claude-sonnet-4-5-20250929", extra: Usage)));
        // 1,000 × 2 + 6,000 × 0.2 + 3,000 × 5 + 200 × 10 = $0.0202.
        Assert.Equal(0.0202, (double)(await client.GetJsonAsync("/api/v1/sessions/cw-own"))["session"]!["costUsd"]!, 12);

        var prices = await client.GetJsonAsync("/api/v1/prices");
        Assert.Equal(5m, (decimal)Assert.Single(prices["projectPrices"]!.AsArray())!["cacheCreationInputPerMillion"]!);
        var builtIn = prices["builtInPrices"]!.AsArray();
        Assert.Equal(3.75m, (decimal)builtIn.Single(p => (string)p!["model"]! == "claude-sonnet-4-5")!["cacheCreationInputPerMillion"]!);
        Assert.Null(builtIn.Single(p => (string)p!["model"]! == "gpt-4o")!["cacheCreationInputPerMillion"]);

        // Cost by model: both calls' writes beside their reads, and the two costs summed.
        var model = Assert.Single((await client.GetJsonAsync("/api/v1/costs/models"))["data"]!.AsArray())!;
        Assert.Equal(("claude-sonnet-4-5-20250929", 2L, 12_000L, 6_000L), ((string)model["model"]!, (long)model["calls"]!, (long)model["cachedInputTokens"]!,
            (long)model["cacheCreationInputTokens"]!));
        Assert.Equal(0.01905 + 0.0202, (double)model["costUsd"]!, 12);
    }

    [Fact]
    public async Task CacheWrites_BadCountsAndPrices_AreRefusedByName()
    {
        var client = app.ClientWithKey();
        var batch = Api.Batch(
            Api.Span("cw-too-many", sessionId: "cw-refused", extra: "\"usage\":{\"inputTokens\":100,\"cachedInputTokens\":60,\"cacheCreationInputTokens\":50}"),
            Api.Span("cw-neighbour", sessionId: "cw-refused"));
        var response = await client.IngestAsync(batch);
        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var error = Assert.Single((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray())!;
        Assert.Contains("\"usage.cacheCreationInputTokens\" (50) plus \"usage.cachedInputTokens\" (60) exceeds \"usage.inputTokens\" (100)", (string)error["message"]!);
        Assert.Equal(1, (int)(await client.GetJsonAsync("/api/v1/sessions/cw-refused"))["session"]!["turns"]!);

        var price = await client.PutAsync("/api/v1/prices/house", Api.Json("{\"inputPerMillion\": 1, \"outputPerMillion\": 1, \"cacheCreationInputPerMillion\": -1}"));
        Assert.Equal(HttpStatusCode.BadRequest, price.StatusCode);
        Assert.Contains("between 0 and 100,000", await price.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PriceOverride_WithoutPrices_Gets400()
    {
        var response = await app.ClientWithKey().PutAsync("/api/v1/prices/gpt-4o", Api.Json("{\"inputPerMillion\": 1.0}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
