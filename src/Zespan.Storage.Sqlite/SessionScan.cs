using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// A session's row rebuilt from its calls in one pass over them: the figures (as the contract defines them), the tags,
/// the calls' times and the explicit name (for active time and the name, SessionActivityRows), and per metadata key the MaxValuesPerKeyPerSession smallest values — the same pairs as MetadataValues.SessionGrouping
/// over MetadataValues.Flatten of every call. Why one pass: the rebuild read the session's calls three times (figures,
/// tags, metadata), each a B-tree lookup per call; in a 20,000-turn session that was most of a retention batch. Metadata
/// is read as SQLite's UTF-8 bytes with Utf8JsonReader and values compared as bytes (UTF-8 byte order is code point
/// order), making strings only for the values kept.
/// </summary>
internal static class SessionScan
{
    private const int Cap = MetadataValues.MaxValuesPerKeyPerSession;

    /// <summary>
    /// A session's figures (the fold of <see cref="SessionFigures"/>), tags, grouping values and its calls in (start, span id)
    /// order: what active time and the derived name are computed from, so a rebuild reads a long session once.
    /// </summary>
    public sealed record Figures(SessionFigures Fold, IReadOnlyCollection<string> Tags, IReadOnlyList<(string Key, string Value)> Metadata,
        IReadOnlyList<Call> Calls);

    /// <summary>A call's times and row id, in (start, span id) order.</summary>
    public readonly record struct Call(long StartMs, long EndMs, long RowId);

    /// <summary>The session's figures, tags and grouping values; null when it has no call left.</summary>
    public static Figures? Read(SqliteConnection connection, long projectId, string sessionId)
    {
        var fold = new SessionFigures();
        var tags = new HashSet<string>(StringComparer.Ordinal);
        var metadata = new MetadataScan();
        var lastTags = new List<byte>();
        var calls = new List<Call>();
        // In (start, span id) order, the order of SessionActivity and SessionNames: the index gives the start order, SQLite
        // sorts only calls with equal starts by span id (BINARY: code point order).
        using (var select = new RawStatement(connection, """
            SELECT start_ms, end_ms, cost_pico, input_tokens, output_tokens, status, tags, metadata, span_id, user_id, session_name, id
            FROM spans WHERE project_id = $p AND session_id = $s AND kind = 1 ORDER BY start_ms, span_id
            """))
        {
            select.Set("$p", projectId);
            select.Set("$s", sessionId);
            while (select.Read())
            {
                long start = select.GetInt64(0), end = select.GetInt64(1);
                // Calls arrive in the fold's own order, so once the fold holds a user (or an explicit name) no later call's
                // can be earlier: their strings, and the span id that would break a tie, are not made (most of a long
                // session's calls).
                var user = fold.User.HasValue ? null : select.GetNullableString(9);
                var name = fold.ExplicitName.HasValue ? null : select.GetNullableString(10);
                var spanId = user is null && name is null ? string.Empty : select.GetString(8);
                fold.Add(spanId, start, end, select.GetNullableInt64(2), select.GetInt64(3), select.GetInt64(4), (SpanStatus)select.GetInt64(5), user, name);
                calls.Add(new Call(start, end, select.GetInt64(11)));
                // Consecutive calls usually carry the same tags: an equal column adds nothing new.
                if (select.GetUtf8(6) is { Length: > 0 } tagsJson && !tagsJson.SequenceEqual(CollectionsMarshal.AsSpan(lastTags)))
                {
                    ReadTags(tagsJson, tags);
                    lastTags.Clear();
                    lastTags.AddRange(tagsJson);
                }
                if (select.GetUtf8(7) is { Length: > 0 } metadataJson)
                    metadata.AddCall(metadataJson);
            }
        }
        if (fold.IsEmpty)
            return null;
        return new Figures(fold, tags, metadata.Pairs(), calls);
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

    /// <summary>
    /// Per metadata key, the Cap smallest distinct values over the calls added, as MetadataValues.Flatten takes each call's
    /// values (a repeated key keeps its last groupable value). Why not a dictionary and byte arrays per call: a long
    /// session's rebuild read tens of thousands of calls, and making a key string and a value array for each pair was most
    /// of its time; here a call's values are copied into one reused buffer and a value array is made only when it is kept.
    /// </summary>
    private sealed class MetadataScan
    {
        private readonly Dictionary<string, Key> _keys = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Key>.AlternateLookup<ReadOnlySpan<char>> _byChars;
        private readonly List<(Key Key, int Start, int Length)> _call = [];
        private byte[] _values = new byte[256];
        private char[] _keyChars = new char[64];
        private int _calls;

        public MetadataScan() => _byChars = _keys.GetAlternateLookup<ReadOnlySpan<char>>();

        private sealed class Key(string name)
        {
            public string Name { get; } = name;
            public List<byte[]> Smallest { get; } = [];
            /// <summary>The call that last gave this key a value, and where in that call's list it is.</summary>
            public int Call = -1, Entry;
        }

        public void AddCall(ReadOnlySpan<byte> json)
        {
            _calls++;
            _call.Clear();
            if (_values.Length < json.Length)
                _values = new byte[Math.Max(json.Length, _values.Length * 2)]; // unescaped values never outgrow their JSON
            var used = 0;
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = KeyOf(ref reader);
                reader.Read();
                int length;
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        length = reader.CopyString(_values.AsSpan(used));
                        break;
                    case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                        reader.ValueSpan.CopyTo(_values.AsSpan(used));
                        length = reader.ValueSpan.Length;
                        break;
                    default:
                        reader.Skip();
                        continue; // not groupable: the key's earlier value stays, as in Flatten
                }
                // Length limits count UTF-16 characters, never more than UTF-8 bytes, so only long values need counting.
                if (key is null || (length > MetadataValues.MaxValueLength && Encoding.UTF8.GetCharCount(_values.AsSpan(used, length)) > MetadataValues.MaxValueLength))
                    continue;
                if (key.Call == _calls)
                    _call[key.Entry] = (key, used, length);
                else
                {
                    (key.Call, key.Entry) = (_calls, _call.Count);
                    _call.Add((key, used, length));
                }
                used += length;
            }
            foreach (var (key, start, length) in _call)
                Offer(key.Smallest, _values.AsSpan(start, length));
        }

        /// <summary>The key's entry, made on its first call; null when the key is too long to group by.</summary>
        private Key? KeyOf(ref Utf8JsonReader reader)
        {
            var maxChars = reader.ValueIsEscaped ? reader.ValueSpan.Length : Encoding.UTF8.GetMaxCharCount(reader.ValueSpan.Length);
            if (_keyChars.Length < maxChars)
                _keyChars = new char[Math.Max(maxChars, _keyChars.Length * 2)];
            var chars = reader.CopyString(_keyChars);
            if (chars > MetadataValues.MaxKeyLength)
                return null;
            var name = _keyChars.AsSpan(0, chars);
            if (_byChars.TryGetValue(name, out var key))
                return key;
            key = new Key(name.ToString());
            _keys.Add(key.Name, key);
            return key;
        }

        public List<(string Key, string Value)> Pairs() =>
            [.. _keys.Values.SelectMany(k => k.Smallest.Select(v => (k.Name, Encoding.UTF8.GetString(v))))];
    }

    /// <summary>Adds the value to the ascending list of a key's smallest distinct values, keeping at most Cap.</summary>
    private static void Offer(List<byte[]> values, ReadOnlySpan<byte> value)
    {
        if (values.Count == Cap && value.SequenceCompareTo(values[^1]) >= 0)
            return;
        int low = 0, high = values.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            var order = value.SequenceCompareTo(values[middle]);
            if (order == 0)
                return;
            if (order < 0)
                high = middle;
            else
                low = middle + 1;
        }
        values.Insert(low, value.ToArray());
        if (values.Count > Cap)
            values.RemoveAt(Cap);
    }
}
