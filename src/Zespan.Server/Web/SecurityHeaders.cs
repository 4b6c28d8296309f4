namespace Zespan.Server.Web;

/// <summary>
/// Headers that keep the web UI in its own origin, on every response (pages, forms, CSV, API): no script but our own
/// files (the UI has none today, and no inline script or style at all), no framing (so settings forms cannot be
/// clickjacked), no MIME sniffing, and no URL (which carries session and user ids) sent to other sites as a referrer.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY"; // frame-ancestors for browsers that predate CSP 2
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        await next(context);
    });
}
