using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Zespan.Server.Api;

/// <summary>
/// OpenAPI metadata written once: responses with a description of when they happen, errors as problem+json, request
/// bodies described (including the opaque OTLP ones), and the transformer that puts those descriptions into the document.
/// OpenApiDocumentTests walks /openapi/v1.json and fails on anything undescribed.
/// </summary>
public static class ApiDocs
{
    public const string ProblemJson = "application/problem+json";
    public const string BadParameter = "A query parameter is invalid: the problem's detail names it, what was sent and the accepted values.";
    public const string MissingKey = "No API key, or one that is unknown or revoked (Authorization: Bearer zsp_…).";

    public const string StoreUnavailable = "The store could not answer in time or within its limits (Retry-After says when to try again; a shorter time range may answer).";

    public static string NotFound(string what) =>
        $"No {what} with that id in this project (it may be in another project or removed by retention).";

    /// <summary>A success response of type T as JSON.</summary>
    public static RouteHandlerBuilder Returns<T>(this RouteHandlerBuilder builder, string description, int statusCode = StatusCodes.Status200OK) =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(T), ["application/json"]) { Description = description });

    /// <summary>A success response whose body is not JSON of one of our types (none, or an OTLP message).</summary>
    public static RouteHandlerBuilder Returns(this RouteHandlerBuilder builder, int statusCode, string description, params string[] contentTypes) =>
        // A Stream is what the document shows as binary content; void, a response without a body.
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, contentTypes.Length == 0 ? typeof(void) : typeof(Stream), contentTypes) { Description = description });

    /// <summary>An error answered as problem+json; on a group it applies to every endpoint of the group.</summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, int statusCode, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(ProblemDetails), [ProblemJson]) { Description = description });

    /// <summary>The request body: T's schema as JSON, read by the endpoint itself (not bound), with its description.</summary>
    public static RouteHandlerBuilder Takes<T>(this RouteHandlerBuilder builder, string description) where T : notnull =>
        builder.Accepts<T>("application/json").DescribesBody(description);

    /// <summary>The description of a request body the endpoint binds itself (a [FromBody] parameter).</summary>
    public static RouteHandlerBuilder DescribesBody(this RouteHandlerBuilder builder, string description) =>
        builder.WithMetadata(new RequestBodyDoc(description, []));

    /// <summary>A request body with no schema of ours (OTLP protobuf or JSON): content type and what it holds.</summary>
    public static RouteHandlerBuilder TakesOpaque(this RouteHandlerBuilder builder, string description, params (string ContentType, string Holds)[] content) =>
        builder.WithMetadata(new RequestBodyDoc(description, content));

    public static RouteHandlerBuilder DescribeHealth(this RouteHandlerBuilder builder) => builder
        .WithSummary("Liveness").WithDescription("Answers without a key while the server runs; for load balancers and container health checks.")
        .Returns<HealthResponse>("The server is up: {\"status\": \"ok\"}.");

    /// <summary>The body of GET /health.</summary>
    public sealed record HealthResponse(string Status);

    /// <summary>
    /// Registers the transformer that writes the descriptions ASP.NET 10 leaves out: of responses (it writes the reason
    /// phrase, "OK", whatever the metadata says) and of request bodies (it has no metadata for them).
    /// </summary>
    public static void Configure(OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        foreach (var (status, response) in operation.Responses ?? [])
        {
            // The endpoint's own declaration wins over its group's (metadata is ordered group first).
            if (response is OpenApiResponse described && int.TryParse(status, out var code)
                && metadata.OfType<IProducesResponseTypeMetadata>().LastOrDefault(m => m.StatusCode == code && m.Description is not null) is { } declared)
                described.Description = declared.Description;
        }
        if (metadata.OfType<RequestBodyDoc>().LastOrDefault() is not { } doc)
            return Task.CompletedTask;
        var body = operation.RequestBody as OpenApiRequestBody ?? new OpenApiRequestBody();
        body.Description = doc.Description;
        body.Required = true;
        body.Content ??= new Dictionary<string, OpenApiMediaType>();
        foreach (var (contentType, holds) in doc.Opaque)
        {
            body.Content[contentType] = new OpenApiMediaType
            {
                Schema = contentType.EndsWith("protobuf", StringComparison.Ordinal)
                    ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = holds }
                    : new OpenApiSchema { Type = JsonSchemaType.Object, Description = holds },
            };
        }
        operation.RequestBody = body;
        return Task.CompletedTask;
    });

    private sealed record RequestBodyDoc(string Description, (string ContentType, string Holds)[] Opaque);
}
