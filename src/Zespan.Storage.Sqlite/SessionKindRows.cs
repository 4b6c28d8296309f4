namespace Zespan.Storage.Sqlite;

/// <summary>
/// The kinds of conversation a session row counts in, the one list behind every per-kind rollup (migrations 170, 195
/// and 300): dim 0 each tag, dim 1 each metadata value (key, value), dim 2 "has a tag", dim 3 "has the key" once per key,
/// dim 4 "no tag" (the sessions by=tag groups as no kind, read as a kind of their own rather than subtracted).
/// </summary>
internal static class SessionKindRows
{
    public static IEnumerable<(int Dim, string Key, string Kind)> Of(SessionRollupState s)
    {
        foreach (var tag in s.Tags)
            yield return (0, "", tag);
        if (s.Tags.Count > 0)
            yield return (2, "", "");
        else
            yield return (4, "", "");
        foreach (var (key, value) in s.Metadata)
            yield return (1, key, value);
        foreach (var key in s.Metadata.Select(m => m.Key).Distinct(StringComparer.Ordinal))
            yield return (3, key, "");
    }
}
