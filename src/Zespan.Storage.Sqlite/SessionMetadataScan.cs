using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The metadata rows of a session rebuilt from its calls: per key, the MaxValuesPerKeyPerSession smallest values — the
/// same pairs as MetadataValues.SessionGrouping over MetadataValues.Flatten of every call. Why a scan of its own: the
/// rebuild of a 20,000-turn session spent most of its time making a string and a JsonDocument per call; this reads
/// SQLite's UTF-8 bytes with Utf8JsonReader and compares values as bytes (UTF-8 byte order is code point order), making
/// strings only for the values it keeps.
/// </summary>
internal static class SessionMetadataScan
{
    private const int Cap = MetadataValues.MaxValuesPerKeyPerSession;

    public static IEnumerable<(string Key, string Value)> Read(SqliteConnection connection, long projectId, string sessionId)
    {
        var smallest = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        var call = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var select = new RawStatement(connection, "SELECT metadata FROM spans WHERE project_id = $p AND session_id = $s AND kind = 1 AND metadata IS NOT NULL"))
        {
            select.Set("$p", projectId);
            select.Set("$s", sessionId);
            while (select.Read())
            {
                call.Clear();
                ReadCall(select.GetUtf8(0), call);
                foreach (var (key, value) in call)
                    Offer(smallest.TryGetValue(key, out var values) ? values : smallest[key] = [], value);
            }
        }
        return smallest.SelectMany(k => k.Value.Select(v => (k.Key, Encoding.UTF8.GetString(v))));
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
                continue; // as in Flatten, a value that cannot be a group leaves the key's earlier value in place // as in Flatten, a value that cannot be a group leaves the key's earlier value in place
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
