using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// A session's row rebuilt from its calls in one pass over them: the figures (as the contract defines them), the tags,
/// and per metadata key the MaxValuesPerKeyPerSession smallest values — the same pairs as MetadataValues.SessionGrouping
/// over MetadataValues.Flatten of every call. Why one pass: the rebuild read the session's calls three times (figures,
/// tags, metadata), each a B-tree lookup per call; in a 20,000-turn session that was most of a retention batch. Metadata
/// is read as SQLite's UTF-8 bytes with Utf8JsonReader and values compared as bytes (UTF-8 byte order is code point
/// order), making strings only for the values kept.
/// </summary>
internal static class SessionScan
{
    private const int Cap = MetadataValues.MaxValuesPerKeyPerSession;

    /// <summary>A session's figures; Cost saturates at the per-row bound of docs/api.md rather than failing the write.</summary>
    public sealed record Figures(long StartedMs, long EndedMs, long Turns, long CostPico, long UnpricedCalls, long InputTokens, long OutputTokens,
        long Errors, long LatencySumMs, IReadOnlyCollection<string> Tags, IReadOnlyList<(string Key, string Value)> Metadata);

    /// <summary>The session's figures, tags and grouping values; null when it has no call left.</summary>
    public static Figures? Read(SqliteConnection connection, long projectId, string sessionId)
    {
        long started = long.MaxValue, ended = long.MinValue, turns = 0, unpriced = 0, input = 0, output = 0, errors = 0, latency = 0;
        Int128 cost = 0;
        var tags = new HashSet<string>(StringComparer.Ordinal);
        var smallest = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        var call = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var select = new RawStatement(connection, """
            SELECT start_ms, end_ms, cost_pico, input_tokens, output_tokens, status, tags, metadata
            FROM spans WHERE project_id = $p AND session_id = $s AND kind = 1
            """))
        {
            select.Set("$p", projectId);
            select.Set("$s", sessionId);
            while (select.Read())
            {
                long start = select.GetInt64(0), end = select.GetInt64(1);
                started = Math.Min(started, start);
                ended = Math.Max(ended, end);
                turns++;
                if (select.GetNullableInt64(2) is { } pico)
                    cost += pico;
                else
                    unpriced++;
                input += select.GetInt64(3);
                output += select.GetInt64(4);
                if (select.GetInt64(5) == (long)SpanStatus.Error)
                    errors++;
                latency += end - start;
                if (select.GetUtf8(6) is { Length: > 0 } tagsJson)
                    ReadTags(tagsJson, tags);
                if (select.GetUtf8(7) is { Length: > 0 } metadata)
                {
                    call.Clear();
                    ReadCall(metadata, call);
                    foreach (var (key, value) in call)
                        Offer(smallest.TryGetValue(key, out var values) ? values : smallest[key] = [], value);
                }
            }
        }
        if (turns == 0)
            return null;
        return new Figures(started, ended, turns, (long)Int128.Min(cost, long.MaxValue), unpriced, input, output, errors, latency, tags,
            [.. smallest.SelectMany(k => k.Value.Select(v => (k.Key, Encoding.UTF8.GetString(v))))]);
    }

    /// <summary>The strings of a call's tags column, a JSON array (see SpanWriteStatements).</summary>
    private static void ReadTags(ReadOnlySpan<byte> json, HashSet<string> tags)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            return;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
                tags.Add(reader.GetString()!);
            else
                reader.Skip();
        }
    }

    /// <summary>One call's groupable values, as MetadataValues.Flatten takes them (a repeated key keeps its last value).</summary>
    private static void ReadCall(ReadOnlySpan<byte> json, Dictionary<string, byte[]> call)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            byte[]? value = reader.TokenType switch
            {
                JsonTokenType.String => reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan.ToArray(),
                JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => reader.ValueSpan.ToArray(),
                _ => null,
            };
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                reader.Skip();
            // Length limits count UTF-16 characters, never more than UTF-8 bytes, so only long values need counting.
            if (value is null || key.Length > MetadataValues.MaxKeyLength
                || (value.Length > MetadataValues.MaxValueLength && Encoding.UTF8.GetCharCount(value) > MetadataValues.MaxValueLength))
                continue; // as in Flatten, a value that cannot be a group leaves the key's earlier value in place
            call[key] = value;
        }
    }

    /// <summary>Adds the value to the ascending list of a key's smallest distinct values, keeping at most Cap.</summary>
    private static void Offer(List<byte[]> values, byte[] value)
    {
        if (values.Count == Cap && value.AsSpan().SequenceCompareTo(values[^1]) >= 0)
            return;
        int low = 0, high = values.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            var order = value.AsSpan().SequenceCompareTo(values[middle]);
            if (order == 0)
                return;
            if (order < 0)
                high = middle;
            else
                low = middle + 1;
        }
        values.Insert(low, value);
        if (values.Count > Cap)
            values.RemoveAt(Cap);
    }
}
