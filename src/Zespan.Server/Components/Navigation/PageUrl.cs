using Microsoft.AspNetCore.WebUtilities;

namespace Zespan.Server.Components.Navigation;

/// <summary>Builds links that keep the page's current query string and change a few values; null removes a value.</summary>
public static class PageUrl
{
    public static string With(string path, IQueryCollection query, params (string Key, string? Value)[] changes)
    {
        var values = new List<KeyValuePair<string, string?>>();
        var changed = changes.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
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
