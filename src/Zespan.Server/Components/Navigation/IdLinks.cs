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

    /// <summary>The session page in one of its views (timeline or transcript).</summary>
    public static string Session(string sessionId, string view) => WithQuery(Session(sessionId), "view", view);

    /// <summary>Path segments the pages own under /sessions/ (besides by-id): an id equal to one travels in the query form.</summary>
    private static readonly string[] PageSegments = ["compare"];

    public static string User(string userId) => Link("/users/", userId);

    /// <summary>The user's CSV export: an API endpoint, which reads the encoded segment exactly (EncodedIdSegments).</summary>
    public static string UserCsv(string userId) => $"/users/{Uri.EscapeDataString(userId)}/sessions.csv";

    public static string Trace(string traceId, string? spanId = null)
    {
        var link = Link("/traces/", traceId);
        return spanId is null ? link : WithQuery(link, "span", spanId);
    }

    private static string WithQuery(string link, string name, string value) => $"{link}{(link.Contains('?') ? '&' : '?')}{name}={Uri.EscapeDataString(value)}";

    /// <summary>True when the id can be a path segment as it is: ASCII letters, digits and - _ . ~ : @, and not a dot segment.</summary>
    public static bool FitsInPath(string id) =>
        id.Length > 0 && id is not "." and not ".." && id != QuerySegment && !PageSegments.Contains(id) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or ':' or '@');

    private static string Link(string prefix, string id) =>
        FitsInPath(id) ? prefix + id : $"{prefix}{QuerySegment}?id={Uri.EscapeDataString(id)}";
}
