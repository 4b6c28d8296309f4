using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Zespan.Server.Routing;

/// <summary>
/// Gives every endpoint and page the id exactly as its link encoded it. Links put an id in one path segment with
/// Uri.EscapeDataString, so "org/7/conv-1" travels as org%2F7%2Fconv-1; ASP.NET Core decodes every escape of the path
/// except %2F (and decodes %25 to %), so the route value would be "org%2F7%2Fconv-1" and could not be told apart from an
/// id that really contains "%2F". The request line still holds the segment as sent: decoding it once is the only exact
/// reading, and this middleware does that for each single-segment route parameter before the endpoint runs.
/// </summary>
public static class EncodedIdSegments
{
    public static IApplicationBuilder UseEncodedIdSegments(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint() is RouteEndpoint endpoint && endpoint.RoutePattern.Parameters.Count > 0)
            Redecode(context, endpoint.RoutePattern);
        await next(context);
    });

    private static void Redecode(HttpContext context, RoutePattern pattern)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            // In-process hosts (TestServer) keep no request line: decode the one escape the path kept, which is exact
            // for every id but one that itself contains the text "%2F".
            DecodeSlashes(context, pattern);
            return;
        }
        if (raw[0] != '/')
            return;
        var rawPath = raw.AsSpan(0, raw.IndexOfAny('?', '#') is var end and >= 0 ? end : raw.Length).ToString();
        if (!rawPath.Contains('%'))
            return;
        var rawSegments = rawPath.Split('/');
        var pathBaseSegments = context.Request.PathBase.HasValue ? context.Request.PathBase.Value!.Split('/').Length - 1 : 0;
        var decodedSegments = (context.Request.PathBase + context.Request.Path).Value?.Split('/') ?? [];
        // Dot segments removed by normalisation would shift the positions; then the route values are left as routing made them.
        if (rawSegments.Length != decodedSegments.Length)
            return;
        for (var i = 0; i < pattern.PathSegments.Count; i++)
        {
            if (pattern.PathSegments[i].Parts is not [RoutePatternParameterPart { IsCatchAll: false } parameter])
                continue;
            var at = pathBaseSegments + 1 + i;
            if (at < rawSegments.Length && rawSegments[at].Contains('%'))
                context.Request.RouteValues[parameter.Name] = Uri.UnescapeDataString(rawSegments[at]);
        }
    }

    private static void DecodeSlashes(HttpContext context, RoutePattern pattern)
    {
        foreach (var parameter in pattern.Parameters)
        {
            if (!parameter.IsCatchAll && context.Request.RouteValues[parameter.Name] is string value && value.Contains("%2F", StringComparison.OrdinalIgnoreCase))
                context.Request.RouteValues[parameter.Name] = value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }
    }
}
