namespace Zespan.Core.Ingestion;

/// <summary>
/// Which ids ingestion accepts: every id it stores must be reachable in a URL (percent-encoded as one path segment or a
/// query value) by every endpoint and page. Anything else is printable Unicode, so "org/7/conv-1", "team/alice" and
/// "a b%c" are all fine. Refused: control characters (NUL, tabs, newlines, DEL, C1), which HTTP servers and browsers
/// drop or refuse in URLs, the dot segments "." and "..", which URL normalisation removes before any server sees them,
/// and the empty id, which leaves an empty path segment (/api/v1/sessions/ is the list, not a session).
/// </summary>
public static class IdRules
{
    public static string? Problem(string field, string id)
    {
        if (id.Length == 0)
            return $"\"{field}\" is empty: an empty id could never be opened. Send a non-empty id, or leave \"{field}\" out (or null) when there is none.";
        if (id is "." or "..")
            return $"\"{field}\" cannot be \"{id}\": a URL path removes dot segments, so it could never be opened. Use another id.";
        for (var i = 0; i < id.Length; i++)
        {
            if (char.IsControl(id[i]))
                return $"\"{field}\" contains the control character U+{(int)id[i]:X4} at position {i}; ids are printable text (no NUL, tab, newline or DEL). Remove it in the client.";
        }
        return null;
    }
}
