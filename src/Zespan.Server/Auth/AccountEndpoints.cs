using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Zespan.Core.Storage;

namespace Zespan.Server.Auth;

/// <summary>Login and logout form posts of the web UI (antiforgery-checked; the login page renders the token).</summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", LoginAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/account/logout", (Delegate)LogoutAsync).RequireAuthorization(UiAuthentication.Policy).ExcludeFromDescription();
    }

    public static async Task<IResult> LoginAsync([FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl, HttpContext context, IUserStore users)
    {
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password)
            || !await UiAuthentication.SignInAsync(context, users, username, password))
            return Results.Redirect("/login?failed=1" + (IsLocal(returnUrl) ? "&returnUrl=" + Uri.EscapeDataString(returnUrl!) : ""));
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/sessions");
    }

    public static async Task<IResult> LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync(UiAuthentication.Scheme);
        return Results.Redirect("/login");
    }

    // Only same-site paths, so the login form cannot be used to bounce users to another site.
    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
