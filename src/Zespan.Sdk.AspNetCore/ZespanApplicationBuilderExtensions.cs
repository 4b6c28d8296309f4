using ZespanSdk;
using ZespanSdk.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

public static class ZespanApplicationBuilderExtensions
{
    /// <summary>
    /// Opens a Zespan context for every request, with the user and session taken from the
    /// <c>X-Zespan-User-Id</c> / <c>X-Zespan-Session-Id</c> headers or from the user's claims.
    /// Place it after authentication so claims are available.
    /// </summary>
    public static IApplicationBuilder UseZespanContext(this IApplicationBuilder app, Action<ZespanContextOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = new ZespanContextOptions();
        configure?.Invoke(options);
        return app.UseMiddleware<ZespanContextMiddleware>(options);
    }
}
