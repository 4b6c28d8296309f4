using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Zespan.Core.Ingestion;
using Zespan.Core.Pricing;
using Zespan.Core.Storage;
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
            .Produces<IngestResponse>(StatusCodes.Status200OK)
            .Produces<IngestResponse>(StatusCodes.Status207MultiStatus)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    public static async Task<IResult> IngestAsync(
        HttpContext context, BatchParser parser, SpanPricer pricer, ProjectPriceCache projectPrices, IngestionPipeline pipeline, ZespanServerOptions options,
        ProjectPlans plans, TimeProvider clock)
    {
        var projectId = context.User.ProjectId();
        var body = await ReadBodyAsync(context, options.MaxIngestBodyBytes);
        if (body is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
                detail: $"An ingest body may be at most {options.MaxIngestBodyBytes:N0} bytes. Split the batch into smaller requests.");
        }
        try
        {
            var batch = parser.Parse(body.Value.Memory);
            if (batch.BodyError is not null)
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a batch of spans", detail: batch.BodyError);
            batch = RetentionWindowCheck.Apply(batch, await plans.GetAsync(projectId, context.RequestAborted), clock.GetUtcNow());

            var prices = await projectPrices.GetAsync(projectId);
            var spans = batch.Spans.Select(s => new ProjectSpan(projectId, pricer.Price(s, prices))).ToList();
            switch (await pipeline.WriteAsync(spans))
            {
                case WriteOutcome.Overloaded:
                    context.Response.Headers.RetryAfter = "1";
                    return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Ingestion is busy",
                        detail: "The server has more spans waiting to be written than it accepts. Retry after the Retry-After delay; nothing of this request was stored.");
                case WriteOutcome.StorageFailed:
                    context.Response.Headers.RetryAfter = "5";
                    return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage unavailable",
                        detail: "The spans could not be written. Retry after the Retry-After delay; nothing of this request was stored.");
            }
            var response = new IngestResponse(spans.Count, batch.Errors.Select(e => new IngestItemError(e.Index, e.Id, e.Message)).ToList());
            return batch.Errors.Count == 0 ? TypedResults.Ok(response) : TypedResults.Json(response, statusCode: StatusCodes.Status207MultiStatus);
        }
        finally
        {
            body.Value.Dispose();
        }
    }

    /// <summary>Reads the body into a pooled buffer, or returns null as soon as it exceeds the limit.</summary>
    private static async Task<PooledBody?> ReadBodyAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
            return null;
        // Our own limit replaces Kestrel's default (30 MB), so the 413 carries our message.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = null;
        var initial = (int)Math.Min(context.Request.ContentLength ?? 64 * 1024, limit + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 4096));
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, buffer.Length - length), context.RequestAborted);
            if (read == 0)
                break;
            length += read;
            if (length > limit)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }
        }
        return new PooledBody(buffer, length);
    }

    private readonly record struct PooledBody(byte[] Buffer, int Length) : IDisposable
    {
        public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);
        public void Dispose() => ArrayPool<byte>.Shared.Return(Buffer);
    }
}

/// <summary>The ingest body, for the OpenAPI document; the server reads it with BatchParser.</summary>
public sealed record IngestRequest(IReadOnlyList<object> Batch);

public sealed record IngestResponse(int Accepted, IReadOnlyList<IngestItemError> Errors);

public sealed record IngestItemError(int Index, string? Id, string Message);
