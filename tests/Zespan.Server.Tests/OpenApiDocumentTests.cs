using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Zespan.Server.Tests;

/// <summary>
/// Walks /openapi/v1.json and fails on anything a client generator or a reader would have to guess: an operation without
/// a summary and description, a parameter or response without a description (a bare "OK" is not one), a request body
/// without a described content type, an operation that takes parameters or a body without its 400, one addressed by id
/// without its 404, and an error response that is not problem+json.
/// </summary>
public sealed class OpenApiDocumentTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    /// <summary>Operations with a path parameter that never answer 404, and why.</summary>
    private static readonly HashSet<string> NoNotFound =
    [
        "GET /api/v1/users/{userId}/sessions", // a user without sessions has an empty page: users exist only through their spans
        "PUT /api/v1/prices/{model}", // sets the price, whether or not the project had one
    ];

    [Fact]
    public async Task EveryOperation_ParameterBodyAndResponse_IsDescribed_AndErrorsAreProblemJson()
    {
        var response = await app.ClientWithKey().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var problems = new List<string>();
        var operations = 0;
        foreach (var (path, pathItem) in document["paths"]!.AsObject())
        {
            foreach (var method in Methods)
            {
                if (pathItem![method] is not JsonObject operation)
                    continue;
                operations++;
                problems.AddRange(Check($"{method.ToUpperInvariant()} {path}", operation, pathItem["parameters"] as JsonArray));
            }
        }
        Assert.True(operations >= 24, $"only {operations} operations in the document");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task TheApiAndOtlpDoors_AreInTheDocument()
    {
        var document = JsonNode.Parse(await app.ClientWithKey().GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key.TrimEnd('/')).ToHashSet();
        foreach (var path in new[]
        {
            "/api/v1/ingest", "/api/v1/sessions", "/api/v1/sessions/stats", "/api/v1/sessions/breakdown", "/api/v1/sessions/outliers",
            "/api/v1/sessions/{sessionId}", "/api/v1/users/{userId}/sessions", "/api/v1/traces", "/api/v1/traces/{traceId}",
            "/api/v1/costs/models", "/api/v1/costs/timeseries", "/api/v1/prices", "/api/v1/prices/{model}", "/v1/traces", "/v1/logs",
            "/api/v1/sessions/overview", "/api/v1/sessions/compare", "/api/v1/sessions/{sessionId}/transcript", "/api/v1/sessions/anomalies",
            "/api/v1/sessions/timeseries", "/api/v1/settings/sessions", "/api/v1/alerts/rules", "/api/v1/alerts/rules/{ruleId}",
            "/api/v1/alerts/deliveries", "/api/v1/sessions/{sessionId}/guard",
        })
            Assert.True(paths.Contains(path), $"{path} missing from the OpenAPI document: {string.Join(", ", paths)}");
        var ingest = document["paths"]!["/api/v1/ingest"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        Assert.NotNull(Resolve(document, ingest)["properties"]?["batch"]);
        // The bodies the API reads are typed: a client generator gets their fields.
        foreach (var (path, method, field) in new[] { ("/api/v1/alerts/rules", "post", "webhookUrl"), ("/api/v1/settings/sessions", "put", "idleGapMs") })
        {
            var item = document["paths"]![path] ?? document["paths"]![path + "/"];
            var schema = item![method]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
            Assert.True(Resolve(document, schema)["properties"]?[field] is not null, $"{method.ToUpperInvariant()} {path}: the body schema has no {field}: {schema.ToJsonString()}");
        }
        var otlp = document["paths"]!["/v1/traces"]!["post"]!["requestBody"]!["content"]!.AsObject().Select(c => c.Key).ToList();
        Assert.Contains("application/x-protobuf", otlp);
        Assert.Contains("application/json", otlp);
    }

    /// <summary>The schema a reference points to; for a nullable body (oneOf/anyOf null and a reference), the referenced one.</summary>
    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
            return document["components"]!["schemas"]![reference.Split('/')[^1]]!;
        var alternatives = (schema["oneOf"] ?? schema["anyOf"]) as JsonArray ?? [];
        return alternatives.OfType<JsonObject>().FirstOrDefault(a => a["$ref"] is not null) is { } referenced ? Resolve(document, referenced) : schema;
    }

    private static IEnumerable<string> Check(string name, JsonObject operation, JsonArray? pathParameters)
    {
        if (IsBlank(operation["summary"]))
            yield return $"{name}: no summary";
        if (IsBlank(operation["description"]))
            yield return $"{name}: no description";

        var parameters = (operation["parameters"] as JsonArray ?? []).Concat(pathParameters ?? []).OfType<JsonObject>().ToList();
        foreach (var parameter in parameters)
        {
            if (IsBlank(parameter["description"]))
                yield return $"{name}: parameter \"{parameter["name"]}\" ({parameter["in"]}) has no description";
        }

        if (operation["requestBody"] is JsonObject body)
        {
            if (IsBlank(body["description"]))
                yield return $"{name}: request body has no description";
            if (body["content"] is not JsonObject { Count: > 0 })
                yield return $"{name}: request body has no content type";
        }

        if (operation["responses"] is not JsonObject { Count: > 0 } responses)
        {
            yield return $"{name}: no responses";
            yield break;
        }
        foreach (var (status, responseNode) in responses)
        {
            var description = responseNode?["description"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(description) || int.TryParse(status, out var code) && description == ReasonPhrases.GetReasonPhrase(code))
                yield return $"{name}: response {status} has no description of its own (\"{description}\")";
            if (status.StartsWith('4') || status.StartsWith('5'))
            {
                var types = (responseNode?["content"] as JsonObject)?.Select(c => c.Key).ToList() ?? [];
                if (!types.Contains("application/problem+json"))
                    yield return $"{name}: error response {status} is not application/problem+json ({string.Join(", ", types)})";
            }
        }
        var takesInput = parameters.Any(p => (string?)p["in"] == "query") || operation["requestBody"] is not null;
        if (takesInput && !responses.ContainsKey("400"))
            yield return $"{name}: takes parameters or a body but declares no 400";
        if (parameters.Any(p => (string?)p["in"] == "path") && !responses.ContainsKey("404") && !NoNotFound.Contains(name))
            yield return $"{name}: addressed by a path parameter but declares no 404";
        if (!responses.Any(r => r.Key.StartsWith('2')))
            yield return $"{name}: no success response";
    }

    private static bool IsBlank(JsonNode? node) => node is null || string.IsNullOrWhiteSpace(node.GetValue<string>());
}
