using Zespan.Core.Sessions.Transcripts;

namespace Zespan.Server.Api;

/// <summary>
/// The sessions a comparison names, read the same way by the page and the API: <c>ids=a,b</c> (comma-separated) and/or
/// <c>id=a&amp;id=b</c> (one id per value, exact: the form for ids that contain a comma, and what the list's checkboxes send).
/// </summary>
public static class CompareIds
{
    public static bool TryRead(IEnumerable<string?> idsValues, IEnumerable<string?> idValues, out IReadOnlyList<string> ids, out string? error)
    {
        var list = new List<string>();
        foreach (var value in idsValues)
        {
            if (string.IsNullOrEmpty(value))
                continue;
            var parts = value.Split(',');
            if (parts.Any(p => p.Length == 0))
            {
                ids = [];
                error = $"\"ids\" has an empty id in \"{value}\": separate session ids with single commas (ids=a,b), or send an id that contains a comma as id=... (repeat id for each session).";
                return false;
            }
            list.AddRange(parts);
        }
        list.AddRange(idValues.Where(v => !string.IsNullOrEmpty(v))!);
        ids = list.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count is < SessionComparison.MinSessions or > SessionComparison.MaxSessions)
        {
            error = $"Compare takes {SessionComparison.MinSessions} to {SessionComparison.MaxSessions} different sessions; got {ids.Count}. "
                + "Name them as ids=a,b (comma-separated) or id=a&id=b (repeated, for ids that contain a comma).";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>The query string naming these sessions: ids=a,b when no id has a comma, else id=… per session.</summary>
    public static string Query(IReadOnlyList<string> ids) => ids.Any(id => id.Contains(','))
        ? string.Join("&", ids.Select(id => "id=" + Uri.EscapeDataString(id)))
        : "ids=" + string.Join(",", ids.Select(Uri.EscapeDataString));
}
