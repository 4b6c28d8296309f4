using Microsoft.AspNetCore.WebUtilities;

namespace Zespan.Server.Components.Navigation;

/// <summary>
/// Builds links that keep the page's current query string and change a few values; null removes a value. A query already
/// in the path (IdLinks' /users/by-id?id=…) is part of the page's address and wins over the same key in the current query.
/// </summary>
public static class PageUrl
{
    public static string With(string path, IQueryCollection query, params (string Key, string? Value)[] changes)
    {
        var values = new List<KeyValuePair<string, string?>>();
        var changed = changes.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        if (path.IndexOf('?') is var at and >= 0)
            changed.UnionWith(QueryHelpers.ParseQuery(path[at..]).Keys);
        foreach (var (key, value) in query)
        {
            if (changed.Contains(key))
                continue;
            foreach (var single in value)
            {
                if (!string.IsNullOrEmpty(single))
                    values.Add(new(key, single));
            }
        }
        foreach (var (key, value) in changes)
        {
            if (!string.IsNullOrEmpty(value))
                values.Add(new(key, value));
        }
        return QueryHelpers.AddQueryString(path, values);
    }

    /// <summary>The same view from its first page: used whenever sort or filters change, since cursors belong to one ordering.</summary>
    public static string FirstPage(string path, IQueryCollection query, params (string Key, string? Value)[] changes) =>
        With(path, query, [.. changes, ("cursor", null), ("prev", null), ("before", null), ("page", null)]);
}
