using Zespan.Core.Sessions;

namespace Zespan.Server.Api;

/// <summary>Reads "by", the kind of conversation of anomalies and trends: empty (the whole project), tag, or metadata:&lt;key&gt;.</summary>
public static class SessionKindParameter
{
    public const string Description =
        "Kind of conversation: empty for the whole project, \"tag\" (one kind per tag, untagged sessions as null), or \"metadata:<key>\" "
        + "(one kind per value of the key, e.g. metadata:feature; \"metadata.<key>\" is accepted too). A session with several tags or values belongs to each.";

    public static bool TryRead(IQueryCollection query, out SessionGrouping? by, out string? error)
    {
        by = null;
        error = null;
        var text = query["by"].ToString();
        if (text.Length == 0)
            return true;
        if (text == "tag")
        {
            by = new SessionGrouping.ByTag();
            return true;
        }
        foreach (var prefix in new[] { "metadata:", "metadata." })
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal) && text.Length > prefix.Length)
            {
                by = new SessionGrouping.ByMetadata(text[prefix.Length..]);
                return true;
            }
        }
        error = $"\"by\" must be empty, tag or metadata:<key> (for example metadata:feature); got \"{text}\".";
        return false;
    }
}
