using Microsoft.AspNetCore.Antiforgery;

namespace Zespan.Server.Web;

/// <summary>The antiforgery cookie as the login cookie: Secure whenever the request came over HTTPS (its default is never).</summary>
public static class AntiforgeryCookie
{
    public static IServiceCollection AddSecureAntiforgeryCookie(this IServiceCollection services) =>
        services.Configure<AntiforgeryOptions>(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
}
