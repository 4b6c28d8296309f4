using System.Security.Claims;

namespace ZespanSdk;

/// <summary>Where <c>app.UseZespanContext()</c> finds each request's user and session.</summary>
public sealed class ZespanContextOptions
{
    /// <summary>Header carrying the conversation id; null to ignore headers for the session.</summary>
    public string? SessionIdHeader { get; set; } = "X-Zespan-Session-Id";

    /// <summary>Header carrying the end user's id; checked before the claims.</summary>
    public string? UserIdHeader { get; set; } = "X-Zespan-User-Id";

    /// <summary>Claims tried in order for the user id when the header is absent (authenticated requests only).</summary>
    public IReadOnlyList<string> UserIdClaimTypes { get; set; } = [ClaimTypes.NameIdentifier, "sub"];

    /// <summary>Claims tried for the session id when the header is absent (e.g. a per-conversation token claim).</summary>
    public IReadOnlyList<string> SessionIdClaimTypes { get; set; } = [];
}
