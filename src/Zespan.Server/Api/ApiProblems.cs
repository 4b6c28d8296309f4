namespace Zespan.Server.Api;

/// <summary>The API's RFC 9457 problem responses, with messages a person can act on.</summary>
public static class ApiProblems
{
    public static IResult BadParameter(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid query parameter", detail: detail);

    public static IResult NotFound(string what, string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found",
            detail: $"This project has no {what.ToLowerInvariant()} with id \"{id}\". It may be in another project or removed by retention.");
}
