using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Zespan.Security.Tests.Infrastructure;

/// <summary>One route of the running app, as its EndpointDataSource lists it.</summary>
public sealed record AppEndpoint(string Pattern, IReadOnlyList<string> Methods, bool IsPage, bool AllowsAnonymous, Endpoint Endpoint)
{
    public bool IsApi => Pattern.StartsWith("/api/", StringComparison.Ordinal);

    /// <summary>The route with every parameter replaced (catch-alls too), e.g. /api/v1/sessions/{sessionId} → /api/v1/sessions/VALUE.</summary>
    public string Fill(string value) => Regex.Replace(Pattern, @"\{\*?\*?([^}:=?]+)[^}]*\}", _ => Uri.EscapeDataString(value));

    public override string ToString() => $"{string.Join(",", Methods)} {Pattern}";
}

/// <summary>Enumerates the app's real endpoints, so a newly added endpoint is covered by the tests without editing them.</summary>
public static class AppEndpoints
{
    public static IReadOnlyList<AppEndpoint> All(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => new AppEndpoint(
                "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'),
                e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.ToList() is { Count: > 0 } methods ? methods : ["GET"],
                e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null,
                e.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                e))
            .DistinctBy(e => e.ToString())
            .ToList();

    /// <summary>Pages of the web UI (Blazor routes), with GET.</summary>
    public static IReadOnlyList<AppEndpoint> Pages(IServiceProvider services) => All(services).Where(e => e.IsPage && e.Methods.Contains("GET")).ToList();

    /// <summary>The read API endpoints (GET under /api/v1).</summary>
    public static IReadOnlyList<AppEndpoint> ApiReads(IServiceProvider services) => All(services).Where(e => e.IsApi && e.Methods.Contains("GET")).ToList();
}
