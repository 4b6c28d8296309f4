namespace Zespan.Storage.ClickHouse;

/// <summary>How a recompute splits its keys (sessions or traces) into statements by the span ids that travel with them.</summary>
internal static class SpanIdBatches
{
    /// <summary>
    /// The keys in order, packed into statements while their span ids stay within <paramref name="limit"/>; a key with
    /// more goes alone. Every key is in exactly one statement.
    /// </summary>
    public static IEnumerable<(List<string> Keys, List<string> SpanIds)> Pack(string[] keys, ILookup<string, string> spanIdsByKey, int limit)
    {
        var batch = new List<string>();
        var spanIds = new List<string>();
        foreach (var key in keys)
        {
            var ids = spanIdsByKey[key];
            if (batch.Count > 0 && spanIds.Count + ids.Count() > limit)
            {
                yield return (batch, spanIds);
                (batch, spanIds) = ([], []);
            }
            batch.Add(key);
            spanIds.AddRange(ids);
        }
        if (batch.Count > 0)
            yield return (batch, spanIds);
    }
}
