namespace Zespan.Core.Sessions;

/// <summary>
/// A session and one kind of conversation it belongs to under a grouping: a tag, or a value of a metadata key; null when
/// it has none (untagged, or the key not set) or when there is no grouping (the whole project is one kind). A session
/// with several tags or values is one row per kind, as in the breakdowns.
/// </summary>
public sealed record KindedSession(SessionSummary Session, string? Kind);

/// <summary>How a kind of conversation is named in sentences and the API.</summary>
public static class SessionKinds
{
    /// <summary>"by" as the API writes it: null, "tag" or "metadata:&lt;key&gt;".</summary>
    public static string? ByText(SessionGrouping? by) => by switch
    {
        null => null,
        SessionGrouping.ByTag => "tag",
        SessionGrouping.ByMetadata m => "metadata:" + m.Key,
        SessionGrouping.ByUser => "userId",
        _ => throw new ArgumentOutOfRangeException(nameof(by)),
    };

    /// <summary>The sessions of a kind, for a sentence: "all sessions", "`support-chat` sessions", "untagged sessions".</summary>
    public static string Describe(SessionGrouping? by, string? kind) => (by, kind) switch
    {
        (null, _) => "all sessions",
        (SessionGrouping.ByTag, null) => "untagged sessions",
        (SessionGrouping.ByTag, var tag) => $"`{tag}` sessions",
        (SessionGrouping.ByMetadata m, null) => $"sessions without `{m.Key}`",
        (SessionGrouping.ByMetadata m, var value) => $"`{m.Key}={value}` sessions",
        (SessionGrouping.ByUser, null) => "sessions without a user",
        (SessionGrouping.ByUser, var user) => $"sessions of user `{user}`",
        _ => "sessions",
    };
}
