using Zespan.Core.Ingestion;
using Zespan.Core.Traces;
using Zespan.Server.Api;
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
        var otlp = app.MapGroup("").WithTags("OTLP").RequireAuthorization(ApiKeyAuthenticationHandler.SchemeName).DisableAntiforgery()
            .RequireIngestByteBudget()
            .Refuses(StatusCodes.Status401Unauthorized, ApiDocs.MissingKey)
            .Refuses(StatusCodes.Status413PayloadTooLarge, "The body is larger than 10 MiB (compressed or not): export smaller batches.")
            .Refuses(StatusCodes.Status415UnsupportedMediaType, $"A Content-Type other than {OtlpEncoding.Protobuf} or {OtlpEncoding.Json}, or an unknown Content-Encoding.")
            .Refuses(StatusCodes.Status429TooManyRequests, "Too many spans or bytes are waiting to be written; nothing was stored. Retry after Retry-After.")
            .Refuses(StatusCodes.Status503ServiceUnavailable, "The database could not be written; nothing was stored. Retry after Retry-After.");
        foreach (var path in new[] { "/v1/traces", "/api/public/otel/v1/traces" })
        {
            otlp.MapPost(path, TracesAsync).WithName(path.Length > 10 ? "OtlpTracesLangfusePath" : "OtlpTraces")
                .WithSummary("Store an OTLP/HTTP trace export")
                .WithDescription("OpenTelemetry spans mapped by the conventions of docs/otel.md and stored under the rules of /api/v1/ingest; refused spans are counted and named in partial_success.")
                .TakesOpaque("An ExportTraceServiceRequest (OTLP/HTTP), gzip accepted, at most 10 MiB.",
                    (OtlpEncoding.Protobuf, "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest, binary protobuf"),
                    (OtlpEncoding.Json, "ExportTraceServiceRequest in OTLP/JSON (resourceSpans, hex trace and span ids)"))
                .Returns(StatusCodes.Status200OK, "An ExportTraceServiceResponse in the request's encoding; partial_success names the refused spans.", OtlpEncoding.Protobuf, OtlpEncoding.Json)
                .Refuses(StatusCodes.Status400BadRequest, "The body is not an OTLP trace export: the detail says where decoding failed.");
        }
        foreach (var path in new[] { "/v1/logs", "/api/public/otel/v1/logs" })
        {
            otlp.MapPost(path, LogsAsync).WithName(path.Length > 8 ? "OtlpLogsLangfusePath" : "OtlpLogs")
                .WithSummary("Store prompt and completion content sent as OTLP logs")
                .WithDescription("Log records carrying a span's prompt or completion (GenAI events) are attached to that span, now or when it arrives.")
                .TakesOpaque("An ExportLogsServiceRequest (OTLP/HTTP), gzip accepted, at most 10 MiB.",
                    (OtlpEncoding.Protobuf, "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest, binary protobuf"),
                    (OtlpEncoding.Json, "ExportLogsServiceRequest in OTLP/JSON (resourceLogs)"))
                .Returns(StatusCodes.Status200OK, "An ExportLogsServiceResponse in the request's encoding.", OtlpEncoding.Protobuf, OtlpEncoding.Json)
                .Refuses(StatusCodes.Status400BadRequest, "The body is not an OTLP logs export: the detail says where decoding failed.");
        }
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
            var refusals = mapped.Refusals.Concat(batch.Errors.Concat(result.Refused).Select(e => $"{mapped.Labels[e.Index]}: {e.Message}")).ToList();
            // Stored and counted, but said: OTLP lets partial_success carry warnings with no span rejected, and exporters log it.
            var warnings = DoubleRecordedCalls.In(spans.Select(p => p.Span)).Select(pair => "warning: " + DoubleRecordedCalls.Describe(pair));
            var messages = refusals.Concat(warnings).ToList();
            var response = new ExportTraceServiceResponse();
            if (messages.Count > 0)
                response.PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = refusals.Count, ErrorMessage = Summary(messages) };
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
        return messages.Count <= MessagesShown ? shown : $"{shown}; and {messages.Count - MessagesShown} more.";
    }
}
