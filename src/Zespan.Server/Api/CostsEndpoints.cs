using Zespan.Core.Costs;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Server.Auth;

namespace Zespan.Server.Api;

/// <summary>Cost attribution: cost, tokens and calls per model, and cost over time.</summary>
public static class CostsEndpoints
{
    public static void MapCostsEndpoints(this RouteGroupBuilder api)
    {
        var costs = api.MapGroup("/costs").WithTags("Costs");
        costs.MapGet("/models", ByModelAsync).WithName("CostByModel").WithSummary("Cost, tokens and calls per model")
            .WithDescription("Per model, the LLM calls started in [from, to) (both optional): calls, cost, unpriced calls, tokens and errors, most expensive first.")
            .Returns<ModelCostResponse>("The models and the total cost.").Refuses(400, ApiDocs.BadParameter);
        costs.MapGet("/timeseries", OverTimeAsync).WithName("CostOverTime").WithSummary("Cost per hour or day")
            .WithDescription("Calls, cost, tokens and unpriced calls per UTC hour or day over [from, to), empty buckets included; at most 10,000 buckets.")
            .Returns<IReadOnlyList<CostBucketItem>>("One item per bucket, oldest first.").Refuses(400, ApiDocs.BadParameter);
    }

    public static async Task<IResult> ByModelAsync([AsParameters] RangeParameters parameters, HttpContext context, ICostReader reader)
    {
        if (!parameters.TryReadRange(out var range, out var error))
            return ApiProblems.BadParameter(error!);
        var models = await reader.ByModelAsync(context.User.ProjectId(), range, context.RequestAborted);
        return TypedResults.Ok(ModelCostResponse.Of(
            range.FromMs is { } f ? Timestamps.Format(f) : null, range.ToMs is { } t ? Timestamps.Format(t) : null, models));
    }

    public static async Task<IResult> OverTimeAsync([AsParameters] TimeseriesParameters parameters, HttpContext context, ICostReader reader)
    {
        if (!parameters.TryRead(out var range, out var bucketMs, out var error))
            return ApiProblems.BadParameter(error!);
        var buckets = await reader.OverTimeAsync(context.User.ProjectId(), range, bucketMs, context.RequestAborted);
        return TypedResults.Ok(buckets.Select(CostBucketItem.From).ToList());
    }
}
