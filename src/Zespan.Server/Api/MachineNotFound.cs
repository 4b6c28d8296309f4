namespace Zespan.Server.Api;

/// <summary>
/// No redirect for machines: a request that matched no route gets 404 problem+json when it is under /api/ or /v1/, or
/// does not come from a browser (no text/html in Accept). Without this the UI's login fallback answered such requests
/// with a 302 to /login, which OTLP exporters report as success while nothing is stored.
/// </summary>
public static class MachineNotFound
{
    public static IApplicationBuilder UseMachineNotFound(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (MatchedNoRoute(context) && IsForMachines(context.Request))
        {
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: $"There is no {context.Request.Method} {context.Request.Path}. The API is under /api/v1 (see /openapi/v1.json); OTLP is POST /v1/traces and /v1/logs.")
                .ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    /// <summary>
    /// No endpoint, or ASP.NET Core's 405 endpoint: a catch-all GET route (static assets, the UI) makes routing answer any
    /// other method on any path with 405, and that endpoint carries no authorization of its own, so the UI's login fallback
    /// would redirect it. For a machine there is no such resource: 404.
    /// </summary>
    private static bool MatchedNoRoute(HttpContext context) =>
        context.GetEndpoint() is not { } endpoint || endpoint.DisplayName == "405 HTTP Method Not Supported";

    private static bool IsForMachines(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/v1") || !AsksForHtml(request);

    /// <summary>A browser's request: text/html in Accept (what browsers send for a page; HTTP clients send no such thing).</summary>
    public static bool AsksForHtml(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}
