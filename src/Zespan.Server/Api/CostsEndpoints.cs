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
        costs.MapGet("/models", ByModelAsync).WithName("CostByModel").WithSummary("Cost, tokens and calls per model").Produces<ModelCostResponse>();
        costs.MapGet("/timeseries", OverTimeAsync).WithName("CostOverTime").WithSummary("Cost per hour or day").Produces<IReadOnlyList<CostBucketItem>>();
    }

    public static async Task<IResult> ByModelAsync(HttpContext context, ICostReader reader)
    {
        if (!QueryParameters.TryReadRange(context.Request.Query, out var range, out var error))
            return ApiProblems.BadParameter(error!);
        var models = await reader.ByModelAsync(context.User.ProjectId(), range, context.RequestAborted);
        return TypedResults.Ok(ModelCostResponse.Of(
            range.FromMs is { } f ? Timestamps.Format(f) : null, range.ToMs is { } t ? Timestamps.Format(t) : null, models));
    }

    public static async Task<IResult> OverTimeAsync(HttpContext context, ICostReader reader)
    {
        if (!QueryParameters.TryReadRange(context.Request.Query, out var range, out var error))
            return ApiProblems.BadParameter(error!);
        if (range.FromMs is null || range.ToMs is null || range.ToMs <= range.FromMs)
            return ApiProblems.BadParameter("Cost over time needs both \"from\" and \"to\", with from before to.");
        long bucketMs = context.Request.Query["bucket"].ToString() switch
        {
            "" or "day" => 86_400_000,
            "hour" => 3_600_000,
            _ => 0,
        };
        if (bucketMs == 0)
            return ApiProblems.BadParameter($"\"bucket\" must be \"hour\" or \"day\"; got \"{context.Request.Query["bucket"]}\".");
        if ((range.ToMs.Value - range.FromMs.Value) / bucketMs > 10_000)
            return ApiProblems.BadParameter("That range has more than 10,000 buckets; use bucket=day or a shorter range.");
        var buckets = await reader.OverTimeAsync(context.User.ProjectId(), range, bucketMs, context.RequestAborted);
        return TypedResults.Ok(buckets.Select(CostBucketItem.From).ToList());
    }
}
