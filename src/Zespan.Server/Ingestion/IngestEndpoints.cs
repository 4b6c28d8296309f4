using Microsoft.AspNetCore.Http.HttpResults;
using Zespan.Core.Ingestion;
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
            .RequireIngestByteBudget()
            .Produces<IngestResponse>(StatusCodes.Status200OK)
            .Produces<IngestResponse>(StatusCodes.Status207MultiStatus)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
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

/// <summary>The ingest body, for the OpenAPI document; the server reads it with BatchParser.</summary>
public sealed record IngestRequest(IReadOnlyList<object> Batch);

public sealed record IngestResponse(int Accepted, IReadOnlyList<IngestItemError> Errors);

public sealed record IngestItemError(int Index, string? Id, string Message);
