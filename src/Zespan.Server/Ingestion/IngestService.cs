using Zespan.Core.Ingestion;
using Zespan.Core.Pricing;
using Zespan.Core.Storage;

namespace Zespan.Server.Ingestion;

/// <summary>What became of a validated batch: stored durably, or refused whole for a reason the client should retry.</summary>
public enum IngestStatus { Stored, Overloaded, StorageFailed }

/// <param name="Refused">Items refused after validation (older than the plan keeps; a computed cost past the per-span limit), by batch index.</param>
public sealed record IngestResult(IngestStatus Status, int Accepted, IReadOnlyList<ItemError> Refused);

/// <summary>
/// The one ingest service behind every door (/api/v1/ingest and OTLP): prices the spans a format reader and the
/// validator (BatchParser/SpanParser) accepted, and hands them to the pipeline, which answers only once they are durable.
/// Re-sent spans replace their earlier version in the writer, so a retry never double counts.
/// </summary>
public sealed class IngestService(SpanPricer pricer, ProjectPriceCache projectPrices, ProjectPlans plans, TimeProvider clock, IngestionPipeline pipeline)
{
    public async Task<IngestResult> StoreAsync(long projectId, IReadOnlyList<ParsedSpan> parsed)
    {
        var prices = await projectPrices.GetAsync(projectId);
        var plan = await plans.GetAsync(projectId);
        var planIsFresh = false;
        var now = clock.GetUtcNow();
        var spans = new List<ProjectSpan>(parsed.Count);
        var refused = new List<ItemError>();
        foreach (var span in parsed)
        {
            // Retention would delete a span older than the plan's window within the hour: refuse it with the reason,
            // but only on the plan as it is now (it may just have been upgraded, on this server or another).
            var tooOld = RetentionWindowCheck.Refusal(span, plan, now);
            if (tooOld is not null && !planIsFresh)
            {
                plan = await plans.GetAsync(projectId, fresh: true);
                planIsFresh = true;
                tooOld = RetentionWindowCheck.Refusal(span, plan, now);
            }
            if (tooOld is not null)
            {
                refused.Add(tooOld);
                continue;
            }
            var priced = pricer.Price(span, prices);
            if (priced.Span is { } record)
                spans.Add(new ProjectSpan(projectId, record));
            else
                refused.Add(priced.Error!);
        }
        return await pipeline.WriteAsync(spans) switch
        {
            WriteOutcome.Overloaded => new IngestResult(IngestStatus.Overloaded, 0, refused),
            WriteOutcome.StorageFailed => new IngestResult(IngestStatus.StorageFailed, 0, refused),
            _ => new IngestResult(IngestStatus.Stored, spans.Count, refused),
        };
    }

    /// <summary>The refusal of a request that was not stored, the same for every door: status, Retry-After and problem text.</summary>
    public static IResult? Refusal(HttpContext context, IngestStatus status)
    {
        switch (status)
        {
            case IngestStatus.Overloaded:
                context.Response.Headers.RetryAfter = "1";
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Ingestion is busy",
                    detail: "The server has more spans waiting to be written than it accepts. Retry after the Retry-After delay; nothing of this request was stored.");
            case IngestStatus.StorageFailed:
                context.Response.Headers.RetryAfter = "5";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage unavailable",
                    detail: "The spans could not be written. Retry after the Retry-After delay; nothing of this request was stored.");
            default:
                return null;
        }
    }

    /// <summary>The refusal of a body that could not be read (too large, unreadable encoding).</summary>
    public static IResult BodyRefusal(BodyRead read) => Results.Problem(statusCode: read.StatusCode,
        title: read.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Unreadable body", detail: read.Problem);
}
