using System.ComponentModel;
using Zespan.Core.Pricing;
using Zespan.Core.Storage;
using Zespan.Server.Auth;

namespace Zespan.Server.Api;

/// <summary>Model prices: the built-in table and the project's own overrides (which apply to spans ingested afterwards).</summary>
public static class PricesEndpoints
{
    public static void MapPricesEndpoints(this RouteGroupBuilder api)
    {
        var prices = api.MapGroup("/prices").WithTags("Prices");
        prices.MapGet("/", ListAsync).WithName("ListPrices").WithSummary("Built-in and project prices")
            .WithDescription("The project's own prices and the built-in table (USD per 1M tokens), with the date the built-in prices were taken.")
            .Returns<PriceListResponse>("Both price lists, by model.");
        prices.MapPut("/{model}", SetAsync).WithName("SetPrice").WithSummary("Set the project's price for a model")
            .WithDescription("Sets the project's price for a model (matched as the built-in table matches); it applies to spans ingested afterwards.")
            .DescribesBody(PriceBodyExample + ": USD per 1M tokens; cached (read from the cache) and cache creation (written to it) are optional and cost as input when absent.")
            .Returns<PriceItem>("The price as stored.")
            .Refuses(StatusCodes.Status400BadRequest, "The model name or a price is missing or out of range: the detail says which and what is accepted.");
        prices.MapDelete("/{model}", DeleteAsync).WithName("DeletePrice").WithSummary("Remove the project's price for a model")
            .WithDescription("Removes the project's price; the built-in price (if any) applies to spans ingested afterwards.")
            .Returns(StatusCodes.Status204NoContent, "Removed.")
            .Refuses(StatusCodes.Status404NotFound, "The project has no price of its own for that model.");
    }

    private const string PriceBodyExample =
        "{\"inputPerMillion\": 3, \"outputPerMillion\": 15, \"cachedInputPerMillion\": 0.3, \"cacheCreationInputPerMillion\": 3.75}";

    private const string ModelDescription = "The model name, percent-encoded as one path segment (at most 256 characters).";

    public static async Task<IResult> ListAsync(HttpContext context, IProjectStore projects, PriceResolver resolver)
    {
        var own = await projects.GetProjectPricesAsync(context.User.ProjectId(), context.RequestAborted);
        return TypedResults.Ok(new PriceListResponse(
            resolver.BuiltIn.PricesTakenOn,
            own.All.OrderBy(p => p.Model).Select(p => Item(p, "project")).ToList(),
            resolver.BuiltIn.All.OrderBy(p => p.Model).Select(p => Item(p, "built-in")).ToList()));
    }

    public static async Task<IResult> SetAsync([Description(ModelDescription)] string model, PriceRequest request, HttpContext context, IProjectStore projects, ProjectPriceCache cache)
    {
        if (model.Length is 0 or > 256)
            return ApiProblems.BadParameter(PriceRules.Problem(model, 0, null, 0)!);
        if (request.InputPerMillion is not { } input || request.OutputPerMillion is not { } output)
            return ApiProblems.BadParameter($"Send {PriceBodyExample} (USD per 1M tokens; the two cache prices are optional).");
        if (PriceRules.Problem(model, input, request.CachedInputPerMillion, output, request.CacheCreationInputPerMillion) is { } problem)
            return ApiProblems.BadParameter(problem);
        var price = new ModelPrice(model, input, request.CachedInputPerMillion, output, CacheCreationInputPerMillion: request.CacheCreationInputPerMillion);
        var projectId = context.User.ProjectId();
        await projects.SetProjectPriceAsync(projectId, price, context.RequestAborted);
        cache.Invalidate(projectId);
        return TypedResults.Ok(Item(price, "project"));
    }

    public static async Task<IResult> DeleteAsync([Description(ModelDescription)] string model, HttpContext context, IProjectStore projects, ProjectPriceCache cache)
    {
        var projectId = context.User.ProjectId();
        if (!await projects.DeleteProjectPriceAsync(projectId, model, context.RequestAborted))
            return ApiProblems.NotFound("Project price", model);
        cache.Invalidate(projectId);
        return TypedResults.NoContent();
    }

    private static PriceItem Item(ModelPrice price, string source) =>
        new(price.Model, price.InputPerMillion, price.CachedInputPerMillion, price.OutputPerMillion, source, price.CacheCreationInputPerMillion);
}
