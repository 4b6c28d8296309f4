using System.Text.Json;

namespace Zespan.Core.Ingestion;

/// <summary>Measures how deeply a JSON text nests, without recursion (hostile input can nest thousands of levels).</summary>
public static class JsonDepth
{
    /// <summary>
    /// True when the UTF-8 JSON nests deeper than <paramref name="limit"/> levels; <paramref name="depth"/> is then the depth.
    /// Why the shortcut: a value cannot nest deeper than it has '[' and '{' bytes, and almost every real payload has fewer
    /// than the limit, so the full scan runs only for the rare value that could exceed it.
    /// </summary>
    public static bool Exceeds(ReadOnlySpan<byte> utf8Json, int limit, out int depth)
    {
        depth = 0;
        var openers = utf8Json.Count((byte)'[') + utf8Json.Count((byte)'{');
        if (openers <= limit)
            return false;
        depth = Of(utf8Json);
        return depth > limit;
    }

    public static int Of(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        var max = 0;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                max = Math.Max(max, reader.CurrentDepth + 1);
        }
        return max;
    }
}
