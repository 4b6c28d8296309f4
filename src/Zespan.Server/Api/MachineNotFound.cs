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
        if (context.GetEndpoint() is null && IsForMachines(context.Request))
        {
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: $"There is no {context.Request.Method} {context.Request.Path}. The API is under /api/v1 (see /openapi/v1.json); OTLP is POST /v1/traces and /v1/logs.")
                .ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    private static bool IsForMachines(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/v1")
        || !request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}
