namespace Zespan.Server.Components.Navigation;

/// <summary>
/// The one place the UI builds links to a session, a user or a trace. An id made only of characters that every hop
/// (browser, Kestrel's path decoding, Blazor's route matching) leaves alone travels in the path: /sessions/conv-1.
/// Any other id ("org/7/conv-1", "a?b#c", a literal "%2F", spaces, non-ASCII) travels in the query string,
/// /sessions/by-id?id=..., because a query value is decoded exactly once and never matched against a route; the pages
/// read ?id= before their path segment, so both forms are permanent addresses.
/// </summary>
public static class IdLinks
{
    /// <summary>The path segment of the query form; an id that is itself "by-id" is linked in the query form too.</summary>
    public const string QuerySegment = "by-id";

    public static string Session(string sessionId) => Link("/sessions/", sessionId);

    public static string User(string userId) => Link("/users/", userId);

    /// <summary>The user's CSV export: an API endpoint, which reads the encoded segment exactly (EncodedIdSegments).</summary>
    public static string UserCsv(string userId) => $"/users/{Uri.EscapeDataString(userId)}/sessions.csv";

    public static string Trace(string traceId, string? spanId = null)
    {
        var link = Link("/traces/", traceId);
        return spanId is null ? link : $"{link}{(link.Contains('?') ? '&' : '?')}span={Uri.EscapeDataString(spanId)}";
    }

    /// <summary>True when the id can be a path segment as it is: ASCII letters, digits and - _ . ~ : @, and not a dot segment.</summary>
    public static bool FitsInPath(string id) =>
        id.Length > 0 && id is not "." and not ".." && id != QuerySegment && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or ':' or '@');

    private static string Link(string prefix, string id) =>
        FitsInPath(id) ? prefix + id : $"{prefix}{QuerySegment}?id={Uri.EscapeDataString(id)}";
}
