using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>The transcript and compare endpoints describe themselves fully in /openapi/v1.json.</summary>
public sealed class SessionTranscriptOpenApiTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    [Theory]
    [InlineData("/api/v1/sessions/{sessionId}/transcript", new[] { "200", "401", "404", "503" })]
    [InlineData("/api/v1/sessions/compare", new[] { "200", "400", "401", "404", "503" })]
    public async Task Endpoint_HasSummaryDescribedParametersAndEveryResponse(string path, string[] statuses)
    {
        var document = await app.ClientWithKey().GetJsonAsync("/openapi/v1.json");
        var get = document["paths"]?[path]?["get"];
        Assert.True(get is not null, $"{path} is not in the OpenAPI document");
        Assert.False(string.IsNullOrWhiteSpace((string?)get["summary"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)get["description"]));
        var parameters = get["parameters"]?.AsArray() ?? [];
        Assert.NotEmpty(parameters);
        Assert.All(parameters, p => Assert.False(string.IsNullOrWhiteSpace((string?)p!["description"]), $"parameter {p!["name"]} has no description"));
        var responses = get["responses"]!.AsObject();
        Assert.Equal(statuses.Order(), responses.Select(r => r.Key).Order());
        foreach (var status in statuses.Where(s => s != "200"))
            Assert.NotNull(responses[status]!["content"]?["application/problem+json"]);
    }
}
