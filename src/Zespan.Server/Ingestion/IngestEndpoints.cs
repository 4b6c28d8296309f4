using Microsoft.AspNetCore.Http.HttpResults;
using Zespan.Core.Ingestion;
using Zespan.Server.Api;
using Zespan.Server.Auth;
using Zespan.Server.Configuration;

namespace Zespan.Server.Ingestion;

/// <summary>POST /api/v1/ingest: validates each span on its own, stores the valid ones durably, names the rejected ones.</summary>
public static class IngestEndpoints
{
    public static void MapIngestEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/ingest", IngestAsync)
            .WithName("Ingest")
            .WithSummary("Store a batch of spans")
            .WithDescription("Validates each span on its own, prices the valid ones and answers once they are durable; refused spans are named with the field and the fix.")
            .RequireIngestByteBudget()
            .Takes<IngestRequest>("The batch: {\"batch\": [span, ...]}, at most 10 MiB (gzip accepted).")
            .Returns<IngestResponse>("Every span was stored.")
            .Returns<IngestResponse>("Some spans were refused (errors names each by index, id and message); the others were stored.", StatusCodes.Status207MultiStatus)
            .Refuses(StatusCodes.Status400BadRequest, "The body is not a batch at all: not JSON, no batch array, or too many items or levels.")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "The body is larger than 10 MiB (compressed or not): split the batch.")
            .Refuses(StatusCodes.Status415UnsupportedMediaType, "A Content-Encoding other than gzip.")
            .Refuses(StatusCodes.Status429TooManyRequests, "Too many spans or bytes are waiting to be written; nothing was stored. Retry after Retry-After.")
            .Refuses(StatusCodes.Status503ServiceUnavailable, "The database could not be written; nothing was stored. Retry after Retry-After.");
    }

    public static async Task<IResult> IngestAsync(HttpContext context, BatchParser parser, IngestService ingest, ZespanServerOptions options)
    {
        var read = await RequestBody.ReadAsync(context, options.MaxIngestBodyBytes);
        if (read.Body is not { } body)
            return IngestService.BodyRefusal(read);
        using (body)
        {
            var batch = parser.Parse(body.Memory);
            if (batch.BodyError is not null)
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a batch of spans", detail: batch.BodyError);
            var result = await ingest.StoreAsync(context.User.ProjectId(), batch.Spans);
            if (IngestService.Refusal(context, result.Status) is { } refusal)
                return refusal;
            var errors = batch.Errors.Concat(result.Refused).OrderBy(e => e.Index).ToList();
            var response = new IngestResponse(result.Accepted, errors.Select(e => new IngestItemError(e.Index, e.Id, e.Message)).ToList());
            return errors.Count == 0 ? TypedResults.Ok(response) : TypedResults.Json(response, statusCode: StatusCodes.Status207MultiStatus);
        }
    }
}

public sealed record IngestResponse(int Accepted, IReadOnlyList<IngestItemError> Errors);

public sealed record IngestItemError(int Index, string? Id, string Message);
