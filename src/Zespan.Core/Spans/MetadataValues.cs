using System.Text.Json;

namespace Zespan.Core.Spans;

/// <summary>
/// Turns a span's metadata object into the string values sessions are grouped by. Strings stay as they are, numbers and
/// booleans become their JSON text; objects, arrays and over-long values cannot be a group and are skipped.
/// One definition, used on ingestion and when a store rebuilds figures from stored spans.
/// </summary>
public static class MetadataValues
{
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;

    /// <summary>
    /// A session is grouped under at most this many values of one key: the smallest in code point order. Why: a key whose
    /// value changes on every call (timeToFirstTokenMs, a request id) is a per-call measurement, not a kind of
    /// conversation; unbounded, it made a session's grouping rows as many as its calls, and every change to the session
    /// rewrote them all (a re-sent span in a 20,000-turn session held the writer for seconds). The smallest values are a
    /// function of the session's calls alone, so adding calls one by one (keep the smallest) and rebuilding from all of
    /// them give the same rows.
    /// </summary>
    public const int MaxValuesPerKeyPerSession = 16;

    /// <summary>The (key, value) pairs a session is grouped by: distinct, at most MaxValuesPerKeyPerSession per key.</summary>
    public static IEnumerable<(string Key, string Value)> SessionGrouping(IEnumerable<(string Key, string Value)> pairs) =>
        pairs.GroupBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(key => Kept(key.Select(p => p.Value).ToHashSet(StringComparer.Ordinal)).Select(value => (key.Key, value)));

    /// <summary>
    /// Of one key's distinct values in a session, those it is grouped under: all of them up to MaxValuesPerKeyPerSession,
    /// else the smallest in code point order (in no particular order; the writer sorts only when it must choose).
    /// </summary>
    public static IEnumerable<string> Kept(IReadOnlyCollection<string> distinctValues) =>
        distinctValues.Count <= MaxValuesPerKeyPerSession ? distinctValues : distinctValues.Order(CodePointOrder.Instance).Take(MaxValuesPerKeyPerSession);

    public static Dictionary<string, string> Flatten(JsonElement metadata)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata.ValueKind != JsonValueKind.Object)
            return values;
        foreach (var property in metadata.EnumerateObject())
        {
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (value is not null && property.Name.Length <= MaxKeyLength && value.Length <= MaxValueLength)
                values[property.Name] = value;
        }
        return values;
    }

    public static Dictionary<string, string> Flatten(string? metadataJson)
    {
        if (string.IsNullOrEmpty(metadataJson))
            return new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(metadataJson);
        return Flatten(document.RootElement);
    }
}
