namespace ZespanSdk.Spans;

internal static class SpanMetadata
{
    /// <summary>User metadata from the context first, then what the SDK measured (measured facts win a clash).</summary>
    public static Dictionary<string, object?>? Merge(
        IReadOnlyDictionary<string, object?> contextMetadata,
        IReadOnlyDictionary<string, object?> recorded)
    {
        if (contextMetadata.Count == 0 && recorded.Count == 0)
        {
            return null;
        }

        var merged = new Dictionary<string, object?>(contextMetadata.Count + recorded.Count);
        foreach (KeyValuePair<string, object?> pair in contextMetadata)
        {
            merged[pair.Key] = pair.Value;
        }
        foreach (KeyValuePair<string, object?> pair in recorded)
        {
            merged[pair.Key] = pair.Value;
        }
        return merged;
    }
}
