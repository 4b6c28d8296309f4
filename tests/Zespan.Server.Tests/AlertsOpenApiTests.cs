using System.Text.Json.Nodes;

namespace Zespan.Server.Tests;

/// <summary>Every alerts endpoint is described in /openapi/v1.json: a summary, each parameter, the request body and each answer.</summary>
public sealed class AlertsOpenApiTests : IDisposable
{
    private readonly ZespanApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AlertEndpoints_HaveDescribedParametersBodiesAndResponses()
    {
        var document = await _app.ClientWithKey().GetJsonAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject();
        var expected = new (string Path, string Method, string[] Statuses)[]
        {
            ("/api/v1/alerts/rules", "post", ["201", "400"]),
            ("/api/v1/alerts/rules", "get", ["200"]),
            ("/api/v1/alerts/rules/{ruleId}", "delete", ["204", "400", "404"]),
            ("/api/v1/alerts/deliveries", "get", ["200", "400"]),
            ("/api/v1/sessions/{sessionId}/guard", "get", ["200", "404"]),
        };
        foreach (var (path, method, statuses) in expected)
        {
            var operation = paths[path]?[method] ?? throw new Xunit.Sdk.XunitException($"{method.ToUpperInvariant()} {path} is not in the document");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{path} {method}: no summary");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["description"]), $"{path} {method}: no description");
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
                Assert.False(string.IsNullOrWhiteSpace((string?)parameter!["description"]), $"{path} {method}: parameter {parameter!["name"]} has no description");
            var responses = operation["responses"]!.AsObject();
            foreach (var status in statuses)
                Assert.True(responses.ContainsKey(status), $"{path} {method}: no {status} response");
            foreach (var (status, response) in responses)
                Assert.False(string.IsNullOrWhiteSpace((string?)response!["description"]), $"{path} {method}: response {status} has no description");
        }
        Assert.NotNull(paths["/api/v1/alerts/rules"]!["post"]!["requestBody"]);
        var deliveryParameters = paths["/api/v1/alerts/deliveries"]!["get"]!["parameters"]!.AsArray().Select(p => (string)p!["name"]!);
        Assert.Equal(["ruleId", "limit"], deliveryParameters);
    }
}
