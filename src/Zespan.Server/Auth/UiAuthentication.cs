using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Zespan.Core.Accounts;
using Zespan.Core.Storage;

namespace Zespan.Server.Auth;

/// <summary>
/// Web UI login: a cookie (HttpOnly, SameSite=Lax) issued after a password check with ASP.NET Core Identity's hasher.
/// The cookie carries the user and the project being viewed, under the same project claim API keys use,
/// so pages and API endpoints scope their queries the same way.
/// </summary>
public static class UiAuthentication
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string Policy = "Ui";

    public static readonly PasswordHasher<UserAccount> Hasher = new();
    /// <summary>The login cookie.</summary>
    public const string CookieName = "zespan_session";

    private static readonly string UnknownUserHash = Hasher.HashPassword(null!, Guid.NewGuid().ToString());

    public static AuthenticationBuilder AddUiCookie(this AuthenticationBuilder builder) =>
        builder.AddCookie(Scheme, options =>
        {
            options.LoginPath = "/login";
            options.LogoutPath = "/logout";
            options.AccessDeniedPath = "/login";
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromDays(7);
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = UiPrincipalValidation.ValidateAsync;
        });

    /// <summary>Checks the password and signs the user in to their first project; false for an unknown user or wrong password.</summary>
    public static async Task<bool> SignInAsync(HttpContext context, IUserStore users, string username, string password)
    {
        var user = await users.FindByUsernameAsync(username.Trim());
        if (user is null)
        {
            // Spend the same time as a real check, so response times do not reveal which user names exist.
            Hasher.VerifyHashedPassword(null!, UnknownUserHash, password);
            return false;
        }
        if (Hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
            return false;
        var grants = await context.RequestServices.GetRequiredService<ProjectAccess>().GrantsOfAsync(user.Id, context.RequestAborted);
        await context.SignInAsync(Scheme, UiPrincipal.Create(user, grants.Count > 0 ? grants[0].Project.Id : null));
        return true;
    }
}
