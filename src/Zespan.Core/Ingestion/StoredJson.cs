using System.Text;

namespace Zespan.Core.Ingestion;

/// <summary>
/// Stored payload JSON made safe to read. Ingestion refuses lone UTF-16 surrogate escapes ("\udc00") since issue 12, but
/// spans stored before that still hold them, and .NET throws when it unescapes one (so the trace API and pages failed).
/// Reads pass stored JSON through here: each lone surrogate escape becomes "\ufffd" (the replacement character), and
/// everything else, including valid surrogate pairs, is left byte for byte.
/// </summary>
public static class StoredJson
{
    public static string Readable(string json)
    {
        if (!json.Contains("\\u", StringComparison.OrdinalIgnoreCase))
            return json;
        StringBuilder? repaired = null;
        var copiedTo = 0;
        for (var i = 0; i < json.Length - 1; i++)
        {
            if (json[i] != '\\')
                continue;
            if (json[i + 1] != 'u' || !TryUnit(json, i, out var unit))
            {
                i++; // a two-character escape such as \\ or \" : skip both, so an escaped backslash is never read as an escape
                continue;
            }
            if (char.IsHighSurrogate(unit) && TryUnit(json, i + 6, out var next) && char.IsLowSurrogate(next))
            {
                i += 11;
                continue;
            }
            if (char.IsSurrogate(unit))
            {
                repaired ??= new StringBuilder(json.Length);
                repaired.Append(json, copiedTo, i - copiedTo).Append("\\ufffd");
                copiedTo = i + 6;
            }
            i += 5;
        }
        return repaired is null ? json : repaired.Append(json, copiedTo, json.Length - copiedTo).ToString();
    }

    private static bool TryUnit(string json, int at, out char unit)
    {
        unit = default;
        if (at + 6 > json.Length || json[at] != '\\' || json[at + 1] != 'u')
            return false;
        if (!ushort.TryParse(json.AsSpan(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var value))
            return false;
        unit = (char)value;
        return true;
    }
}
