namespace Zespan.Core.Spans;

/// <summary>
/// The one text order of the product: Unicode code point order, NULL first. It is UTF-8 byte order, which is how SQLite's
/// BINARY collation compares (the SQL upserts and ORDER BYs) and how ClickHouse compares strings, so an order decided in
/// memory always equals the one the store decides. Why not string.CompareOrdinal: it compares UTF-16 code units, which
/// puts characters above U+FFFF (surrogate pairs) before U+E000..U+FFFF; code point order puts them after.
/// </summary>
public sealed class CodePointOrder : IComparer<string?>
{
    public static CodePointOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
            return x is null ? (y is null ? 0 : -1) : 1;
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            char a = x[i], b = y[i];
            if (a == b)
                continue;
            // A surrogate stands for a code point above U+FFFF, so it is greater than any character that is not one.
            bool surrogateA = char.IsSurrogate(a), surrogateB = char.IsSurrogate(b);
            if (surrogateA != surrogateB)
                return surrogateA ? 1 : -1;
            return a < b ? -1 : 1;
        }
        return x.Length.CompareTo(y.Length);
    }
}

/// <summary>
/// "The earliest span": the smallest (start time, span id), ids in code point order. A session's and a trace's user,
/// a trace's root and a trace's session are taken from it. Written once here for the in-memory fold and the rebuild;
/// the SQL upserts compare the same row value (start_ms, span_id) < (…) with SQLite's BINARY collation, the same order.
/// </summary>
public static class EarliestSpan
{
    public static bool IsEarlier(long start, string id, long otherStart, string otherId) =>
        start < otherStart || (start == otherStart && CodePointOrder.Instance.Compare(id, otherId) < 0);
}
