using Microsoft.AspNetCore.Http.Features;
using Zespan.Server.Components.Navigation;

namespace Zespan.Server.Routing;

/// <summary>
/// A hand-typed page address whose id segment is percent-encoded and holds what the page router cannot carry
/// (/sessions/a%3Fb, /users/team%2Falice, /traces/%2E) is redirected to the query form the UI's own links use,
/// /sessions/by-id?id=…, which carries any id exactly. Why a redirect: the page router matches the decoded path, where an
/// encoded "?", "#", "/" or "%" can no longer be told from the URL's own syntax (docs/api.md, "Ids in URLs"), so those
/// addresses answered 404. The segment is read from the request line, decoded exactly once, as EncodedIdSegments does
/// for the API. An address that already has an id in its query is left alone: the query value wins there.
/// </summary>
public static class PageIdRedirect
{
    private static readonly string[] Pages = ["/sessions/", "/traces/", "/users/"];

    public static IApplicationBuilder UsePageIdRedirect(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if ((HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) && QueryForm(context) is { } location)
        {
            context.Response.Redirect(location);
            return;
        }
        await next(context);
    });

    /// <summary>The query-form address of the request, or null when its path form reaches the page as it is.</summary>
    private static string? QueryForm(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/' || context.Request.Query.ContainsKey("id"))
            return null;
        var queryAt = raw.IndexOfAny(['?', '#']);
        var path = queryAt >= 0 ? raw[..queryAt] : raw;
        var pathBase = context.Request.PathBase.ToUriComponent();
        if (pathBase.Length > 0)
        {
            if (!path.StartsWith(pathBase, StringComparison.OrdinalIgnoreCase))
                return null;
            path = path[pathBase.Length..];
        }
        foreach (var page in Pages)
        {
            if (!path.StartsWith(page, StringComparison.OrdinalIgnoreCase))
                continue;
            var segment = path[page.Length..];
            if (segment.Length == 0 || segment.Contains('/') || !segment.Contains('%'))
                return null;
            var id = Uri.UnescapeDataString(segment);
            if (IdLinks.FitsInPath(id))
                return null;
            var query = queryAt >= 0 && raw[queryAt] == '?' ? raw[(queryAt + 1)..].Split('#')[0] : "";
            return $"{pathBase}{page}{IdLinks.QuerySegment}?id={Uri.EscapeDataString(id)}{(query.Length > 0 ? "&" + query : "")}";
        }
        return null;
    }
}
