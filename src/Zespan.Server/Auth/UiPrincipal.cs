using System.Security.Claims;
using Zespan.Core.Accounts;

namespace Zespan.Server.Auth;

/// <summary>The claims of a logged-in user viewing one project; the project claim is the one API keys carry too.</summary>
public static class UiPrincipal
{
    public const string AdminRole = "admin";

    public static ClaimsPrincipal Create(UserAccount user, long? projectId)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.Username),
        };
        if (projectId is { } id)
            claims.Add(new Claim(ApiKeyAuthenticationHandler.ProjectClaim, id.ToString()));
        if (user.IsAdmin)
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, UiAuthentication.Scheme));
    }

    /// <summary>The logged-in user's id, or null for a request without a UI login (an API key, or nobody).</summary>
    public static long? UserId(this ClaimsPrincipal principal) =>
        principal.Identity?.AuthenticationType == UiAuthentication.Scheme && long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static long? CurrentProjectId(this ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(ApiKeyAuthenticationHandler.ProjectClaim), out var id) ? id : null;
}
