namespace Zespan.Core.Traces;

/// <summary>Opaque keyset position in the traces list (start time and trace id of the last row shown).</summary>
public static class TraceCursor
{
    public static string Encode(long startedMs, string traceId) => Base64Url.Encode($"t1\n{startedMs}\n{traceId}");

    public static bool TryDecode(string encoded, out (long StartedMs, string TraceId) position)
    {
        position = default;
        if (!Base64Url.TryDecode(encoded, out var text))
            return false;
        var parts = text.Split('\n', 3);
        if (parts.Length != 3 || parts[0] != "t1" || !long.TryParse(parts[1], out var started))
            return false;
        position = (started, parts[2]);
        return true;
    }
}
