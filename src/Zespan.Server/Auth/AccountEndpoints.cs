using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Zespan.Core.Storage;

namespace Zespan.Server.Auth;

/// <summary>Login, logout, password change and project switching form posts of the web UI (antiforgery-checked; the pages render the token).</summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", LoginAsync).AllowAnonymous().RequireRateLimiting(LoginRateLimiting.PolicyName).ExcludeFromDescription();
        app.MapPost("/account/logout", (Delegate)LogoutAsync).RequireAuthorization(UiAuthentication.Policy).ExcludeFromDescription();
        app.MapPost("/account/password", ChangePasswordAsync).RequireAuthorization(UiAuthentication.Policy).RequireRateLimiting(LoginRateLimiting.PolicyName).ExcludeFromDescription();
        app.MapPost("/account/project", SwitchProjectAsync).RequireAuthorization(UiAuthentication.Policy).ExcludeFromDescription();
    }

    public static async Task<IResult> LoginAsync(
        [FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl, HttpContext context, IUserStore users, LoginFailureLimiter failures)
    {
        var back = IsLocal(returnUrl) ? "&returnUrl=" + Uri.EscapeDataString(returnUrl!) : "";
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password))
            return Results.Redirect("/login?failed=1" + back);
        if (failures.IsLockedOut(username))
            return LoginRateLimiting.TooManyAttempts(LoginFailureLimiter.Window, "Too many failed logins for this user name.");
        if (!await UiAuthentication.SignInAsync(context, users, username, password))
        {
            failures.RecordFailure(username);
            return Results.Redirect("/login?failed=1" + back);
        }
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/sessions");
    }

    public static async Task<IResult> LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync(UiAuthentication.Scheme);
        return Results.Redirect("/login");
    }

    /// <summary>
    /// Changes the logged-in user's own password after checking the current one. The cookie is re-issued with the new
    /// password stamp, so this browser stays logged in while every other login of the user ends.
    /// </summary>
    public static async Task<IResult> ChangePasswordAsync(
        [FromForm] string? currentPassword, [FromForm] string? newPassword, [FromForm] string? confirmPassword, HttpContext context, IUserStore users)
    {
        if (context.User.UserId() is not { } userId || await users.FindAsync(userId, context.RequestAborted) is not { } user)
            return Results.Unauthorized();
        string Back(string outcome) => "/settings/password?outcome=" + outcome;
        if (string.IsNullOrEmpty(currentPassword) || !Passwords.Verify(user, currentPassword))
            return Results.Redirect(Back("wrong"));
        if (string.IsNullOrEmpty(newPassword) || Passwords.Problem(newPassword) is not null)
            return Results.Redirect(Back("short"));
        if (newPassword != confirmPassword)
            return Results.Redirect(Back("mismatch"));
        var hash = Passwords.Hash(newPassword);
        await users.SetPasswordHashAsync(user.Id, hash, context.RequestAborted);
        await context.SignInAsync(UiAuthentication.Scheme, UiPrincipal.Create(user with { PasswordHash = hash }, context.User.CurrentProjectId()));
        return Results.Redirect(Back("changed"));
    }

    /// <summary>Re-issues the login cookie for another project, only one of an organisation the user belongs to.</summary>
    public static async Task<IResult> SwitchProjectAsync([FromForm] long projectId, [FromForm] string? returnUrl, HttpContext context, IUserStore users, ProjectAccess access)
    {
        if (context.User.UserId() is not { } userId || await users.FindAsync(userId, context.RequestAborted) is not { } user)
            return Results.Unauthorized();
        if (await access.GrantAsync(userId, projectId, context.RequestAborted) is null)
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your project",
                detail: "You can only switch to projects of organisations you are a member of.");
        await context.SignInAsync(UiAuthentication.Scheme, UiPrincipal.Create(user, projectId));
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/sessions");
    }

    // Only same-site paths, so the forms cannot be used to bounce users to another site.
    private static bool IsLocal(string? url) => ReturnUrls.IsLocal(url);
}
