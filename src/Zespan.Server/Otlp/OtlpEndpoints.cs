using Zespan.Core.Ingestion;
using Zespan.Server.Auth;
using Zespan.Server.Configuration;
using Zespan.Server.Ingestion;
using Zespan.Server.Otlp.Proto.Collector;

namespace Zespan.Server.Otlp;

/// <summary>
/// OTLP/HTTP doors: POST /v1/traces and /v1/logs at the root (OTEL_EXPORTER_OTLP_ENDPOINT = the server), and
/// /api/public/otel/v1/traces for apps on Langfuse's OpenTelemetry SDKs. Bodies go through the same reader, validator,
/// pricer and ingest service as /api/v1/ingest; the answer is in the request's encoding, with partial_success naming
/// refused spans. Refusals of the whole request (413, 429, 503 with Retry-After) are the ingest door's.
/// </summary>
public static class OtlpEndpoints
{
    /// <summary>How many refusal messages partial_success lists before summarising the rest.</summary>
    private const int MessagesShown = 5;

    public static void MapOtlpEndpoints(this IEndpointRouteBuilder app)
    {
        var otlp = app.MapGroup("").RequireAuthorization(ApiKeyAuthenticationHandler.SchemeName).DisableAntiforgery().ExcludeFromDescription()
            .RequireIngestByteBudget();
        otlp.MapPost("/v1/traces", TracesAsync);
        otlp.MapPost("/api/public/otel/v1/traces", TracesAsync);
        otlp.MapPost("/v1/logs", LogsAsync);
        otlp.MapPost("/api/public/otel/v1/logs", LogsAsync);
    }

    public static async Task<IResult> TracesAsync(HttpContext context, BatchParser parser, IngestService ingest, ZespanServerOptions options)
    {
        if (OtlpEncoding.IsJson(context.Request) is not { } json)
            return UnsupportedType(context);
        var read = await RequestBody.ReadAsync(context, options.MaxIngestBodyBytes);
        if (read.Body is not { } body)
            return IngestService.BodyRefusal(read);
        using (body)
        {
            var request = OtlpEncoding.Decode(body.Memory, json, ExportTraceServiceRequest.Parser, "resourceSpans", out var decodeError);
            if (request is null)
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not an OTLP trace export", detail: decodeError);
            var mapped = OtlpSpanMapper.Map(request);
            var batch = parser.Parse(mapped.BatchJson);
            if (batch.BodyError is not null)
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not an acceptable batch of spans", detail: batch.BodyError);
            // OTLP spans take session and user along their trace, also across requests (see TraceContextInheritance).
            var spans = batch.Spans.Select(p => p with { Span = p.Span with { InheritsTraceContext = true } }).ToList();
            var result = await ingest.StoreAsync(context.User.ProjectId(), spans);
            if (IngestService.Refusal(context, result.Status) is { } refusal)
                return refusal;
            var messages = mapped.Refusals.Concat(batch.Errors.Concat(result.Refused).Select(e => $"{mapped.Labels[e.Index]}: {e.Message}")).ToList();
            var response = new ExportTraceServiceResponse();
            if (messages.Count > 0)
                response.PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = messages.Count, ErrorMessage = Summary(messages) };
            return OtlpEncoding.Respond(response, json);
        }
    }

    public static async Task<IResult> LogsAsync(HttpContext context, OtlpLogContent content, ZespanServerOptions options)
    {
        if (OtlpEncoding.IsJson(context.Request) is not { } json)
            return UnsupportedType(context);
        var read = await RequestBody.ReadAsync(context, options.MaxIngestBodyBytes);
        if (read.Body is not { } body)
            return IngestService.BodyRefusal(read);
        using (body)
        {
            var request = OtlpEncoding.Decode(body.Memory, json, ExportLogsServiceRequest.Parser, "resourceLogs", out var decodeError);
            if (request is null)
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not an OTLP logs export", detail: decodeError);
            var status = await content.AttachAsync(context.User.ProjectId(), request);
            if (IngestService.Refusal(context, status) is { } refusal)
                return refusal;
            return OtlpEncoding.Respond(new ExportLogsServiceResponse(), json);
        }
    }

    private static IResult UnsupportedType(HttpContext context) => Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported content type",
        detail: $"Content-Type \"{context.Request.ContentType}\" is not an OTLP encoding. Send {OtlpEncoding.Protobuf} or {OtlpEncoding.Json}.");

    private static string Summary(List<string> messages)
    {
        var shown = string.Join("; ", messages.Take(MessagesShown));
        return messages.Count <= MessagesShown ? shown : $"{shown}; and {messages.Count - MessagesShown} more refused spans.";
    }
}
