using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Zespan.Reliability.Tests.Infrastructure;

/// <summary>One GET route of the app: an API read (needs a key) or a page/export (needs a login).</summary>
public sealed record AppRoute(string Pattern, bool IsApi)
{
    /// <summary>The route with every parameter replaced by <paramref name="value"/>, URL-encoded.</summary>
    public string Fill(string value) => Regex.Replace(Pattern, @"\{\*?\*?([^}:=?]+)[^}]*\}", _ => Uri.EscapeDataString(value));

    public bool HasParameters => Pattern.Contains('{');
}

/// <summary>
/// The GET routes of the app, read from its EndpointDataSource (the app is built in process only to list them; the tests
/// send their requests to the server process), so a route added later is covered without editing the tests.
/// </summary>
public static class AppRoutes
{
    public static IReadOnlyList<AppRoute> Gets()
    {
        var data = Directory.CreateTempSubdirectory("zespan-routes-").FullName;
        try
        {
            using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ZESPAN_DATA", data));
            return factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is not { Count: > 0 } methods || methods.Contains("GET"))
                .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
                .Where(e => !e.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor"))
                .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))
                .Where(p => !p.StartsWith("/openapi", StringComparison.Ordinal) && !p.StartsWith("/_", StringComparison.Ordinal))
                .Distinct()
                .Select(p => new AppRoute(p, p.StartsWith("/api/", StringComparison.Ordinal)))
                .ToList();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
