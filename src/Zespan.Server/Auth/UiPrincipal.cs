using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Zespan.Core.Accounts;

namespace Zespan.Server.Auth;

/// <summary>The claims of a logged-in user viewing one project; the project claim is the one API keys carry too.</summary>
public static class UiPrincipal
{
    public const string AdminRole = "admin";

    /// <summary>A fingerprint of the password hash: a password change or reset makes every older login cookie invalid.</summary>
    public const string PasswordStampClaim = "zespan:password_stamp";

    public static ClaimsPrincipal Create(UserAccount user, long? projectId)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.Username),
            new(PasswordStampClaim, PasswordStamp(user)),
        };
        if (projectId is { } id)
            claims.Add(new Claim(ApiKeyAuthenticationHandler.ProjectClaim, id.ToString()));
        if (user.IsAdmin)
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, UiAuthentication.Scheme));
    }

    public static string PasswordStamp(UserAccount user) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user.PasswordHash)), 0, 8);

    /// <summary>The logged-in user's id, or null for a request without a UI login (an API key, or nobody).</summary>
    public static long? UserId(this ClaimsPrincipal principal) =>
        principal.Identity?.AuthenticationType == UiAuthentication.Scheme && long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static long? CurrentProjectId(this ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(ApiKeyAuthenticationHandler.ProjectClaim), out var id) ? id : null;
}
