using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Zespan.Core.Tests.Ingestion.Reference;

/// <summary>
/// REFERENCE: JsonTextCheck as it was before ItemFields (main 89b803a), for the equivalence tests.
/// Text that could be stored but never read back as a .NET string: bytes that are not UTF-8, and JSON escapes of lone
/// UTF-16 surrogates ("\udc00"). Both are refused per field before any value is read, so a span can never be stored in a
/// form that makes the trace API or a page fail later.
/// </summary>
public static class ReferenceJsonTextCheck
{
    private static ReadOnlySpan<byte> EscapeMarker => "\\u"u8;

    /// <summary>The first problem in the text of a batch item, naming its field, or null when all of its text is sound.</summary>
    public static string? Problem(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
            return null;
        var itemStart = JsonMarshal.GetRawUtf8Value(item);
        foreach (var property in item.EnumerateObject())
        {
            var name = JsonMarshal.GetRawUtf8PropertyName(property);
            if (!Utf8.IsValid(name))
            {
                // No field to name: point at the byte, counted from the item's opening brace.
                var offset = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(itemStart), ref MemoryMarshal.GetReference(name)) + InvalidAt(name);
                return $"A property name of this item is not valid UTF-8 (byte {offset} of the item). Send all text UTF-8 encoded.";
            }
            if (Problem(property) is { } problem)
                return problem;
        }
        return null;
    }

    private static string? Problem(JsonProperty property)
    {
        var field = property.Name;
        var raw = JsonMarshal.GetRawUtf8Value(property.Value);
        if (!Utf8.IsValid(raw))
            return $"\"{field}\" is not valid UTF-8 (byte {InvalidAt(raw)} of its value). Send all text UTF-8 encoded.";
        if (raw.IndexOf(EscapeMarker) >= 0 && HasLoneSurrogate(raw, out var where))
            return $"\"{field}\" contains a lone UTF-16 surrogate escape ({where}), which is not text. Escape characters outside the BMP as a surrogate pair (\\ud83d\\ude00) or send them as UTF-8.";
        return null;
    }

    /// <summary>Reads every escaped string and key of the value; .NET refuses a lone surrogate when unescaping, so the same rule decides here.</summary>
    private static bool HasLoneSurrogate(ReadOnlySpan<byte> utf8Json, out string where)
    {
        where = "";
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
                continue;
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException)
            {
                where = $"byte {reader.TokenStartIndex} of its value";
                return true;
            }
        }
        return false;
    }

    private static int InvalidAt(ReadOnlySpan<byte> utf8)
    {
        var valid = 0;
        while (valid < utf8.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(utf8[valid..], out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
                return valid;
            valid += consumed;
        }
        return valid;
    }
}
