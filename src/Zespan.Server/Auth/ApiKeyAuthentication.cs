using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Zespan.Server.Auth;

/// <summary>Authenticates "Authorization: Bearer zsp_..." as the key's project. Keys never log into the UI.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyResolver resolver)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ProjectClaim = "zespan:project";
    public const string KeyClaim = "zespan:key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        var secret = BasicAuthPassword(header);
        if (secret is null && !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("Use \"Authorization: Bearer zsp_...\" (or HTTP Basic with the key as password, as Langfuse's SDKs send it).");
        var key = await resolver.ResolveAsync(secret ?? header["Bearer ".Length..].Trim());
        if (key is null)
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        var identity = new ClaimsIdentity(
            [new Claim(ProjectClaim, key.Value.ProjectId.ToString()), new Claim(KeyClaim, key.Value.KeyId.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// The password of "Authorization: Basic base64(public:secret)": apps on Langfuse's OpenTelemetry SDKs send their keys so,
    /// and move to Zespan by putting the Zespan key in as the secret key (the public key is not needed and ignored).
    /// </summary>
    private static string? BasicAuthPassword(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon >= 0 ? decoded[(colon + 1)..] : decoded;
        }
        catch (FormatException)
        {
            return "";
        }
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        var detail = failure ?? "This endpoint needs a project API key: send \"Authorization: Bearer zsp_...\".";
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "API key required", detail: detail).ExecuteAsync(Context);
    }
}

/// <summary>Reads the project an authenticated API request belongs to.</summary>
public static class ProjectClaims
{
    public static long ProjectId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(ApiKeyAuthenticationHandler.ProjectClaim)
                   ?? throw new InvalidOperationException("The request was not authenticated with a project API key."));
}
