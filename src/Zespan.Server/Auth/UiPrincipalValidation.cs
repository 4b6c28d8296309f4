using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Zespan.Core.Storage;

namespace Zespan.Server.Auth;

/// <summary>
/// Re-checks every cookie against the database on each request: a deleted user is logged out, and a user who left the
/// organisation of the project they were viewing is moved to another project of theirs (or logged out if none is left).
/// A changed or reset password logs out every older cookie (its password stamp no longer matches).
/// A cookie stays valid for days, so without this a removed member would keep access until it expired.
/// </summary>
public static class UiPrincipalValidation
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (principal?.UserId() is not { } userId)
        {
            context.RejectPrincipal();
            return;
        }
        var services = context.HttpContext.RequestServices;
        var user = await services.GetRequiredService<IUserStore>().FindAsync(userId, context.HttpContext.RequestAborted);
        if (user is null || principal.FindFirst(UiPrincipal.PasswordStampClaim)?.Value != UiPrincipal.PasswordStamp(user))
        {
            await RejectAsync(context);
            return;
        }
        var access = services.GetRequiredService<ProjectAccess>();
        var current = principal.CurrentProjectId();
        if (current is { } projectId && await access.GrantAsync(userId, projectId, context.HttpContext.RequestAborted) is not null
            && principal.IsInRole(UiPrincipal.AdminRole) == user.IsAdmin)
            return;

        var grants = await access.GrantsOfAsync(userId, context.HttpContext.RequestAborted);
        if (grants.Count == 0)
        {
            await RejectAsync(context);
            return;
        }
        context.ReplacePrincipal(UiPrincipal.Create(user, grants[0].Project.Id));
        context.ShouldRenew = true;
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(UiAuthentication.Scheme);
    }
}
