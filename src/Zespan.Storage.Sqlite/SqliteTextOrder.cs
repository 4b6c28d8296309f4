namespace Zespan.Storage.Sqlite;

/// <summary>
/// SQLite's BINARY collation as a .NET comparer: NULL first, then UTF-8 byte order, which is code point order. Why not
/// string.CompareOrdinal: it compares UTF-16 code units, which puts characters above U+FFFF (surrogate pairs) before
/// U+E000..U+FFFF; SQLite puts them after. Merged results must order exactly as a single SQL ORDER BY would.
/// </summary>
internal sealed class SqliteTextOrder : IComparer<string?>
{
    public static SqliteTextOrder Instance { get; } = new();

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
