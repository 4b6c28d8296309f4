using System.Net;

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
    public async Task PriceOverride_WithoutPrices_Gets400()
    {
        var response = await app.ClientWithKey().PutAsync("/api/v1/prices/gpt-4o", Api.Json("{\"inputPerMillion\": 1.0}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
