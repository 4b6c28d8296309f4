using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The order of a table's unique key over given columns, for writing a flush's rows in that order
/// (<see cref="RollupUpsert{TKey, TSums}"/>). Why: rows taken in a dictionary's order land on random leaves of the key's
/// B-tree, each paying its own descent and mostly its own page; in key order, consecutive rows share the path and the
/// leaf. With live traffic in start order that took session_kind_costs' inserts and deletes from 7.7–9.5 to 4.5–5.2 µs
/// per span (docs/benchmarks.md, session 38). The order is read from the schema (the unique index that the upsert's
/// ON CONFLICT names, the primary key of a WITHOUT ROWID table), so a migration that rekeys a table keeps it right.
/// </summary>
internal static class KeyOrder
{
    /// <summary>The positions in <paramref name="keyColumns"/>, in the column order of the table's unique index over exactly them.</summary>
    public static int[] Of(SqliteConnection connection, string table, string[] keyColumns)
    {
        using var indexes = new RawStatement(connection, """
            SELECT il.name, ii.name FROM pragma_index_list($table) il JOIN pragma_index_info(il.name) ii
            WHERE il."unique" = 1 ORDER BY il.name, ii.seqno
            """);
        indexes.Set("$table", table);
        var columns = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        while (indexes.Read())
        {
            var index = indexes.GetString(0);
            if (!columns.TryGetValue(index, out var list))
                columns[index] = list = [];
            list.Add(indexes.GetString(1));
        }
        foreach (var list in columns.Values)
        {
            if (list.Count == keyColumns.Length && list.All(keyColumns.Contains))
                return [.. list.Select(column => Array.IndexOf(keyColumns, column))];
        }
        throw new InvalidOperationException($"{table} has no unique key over exactly ({string.Join(", ", keyColumns)}).");
    }

    /// <summary>
    /// The indexes of <paramref name="count"/> rows whose key values <paramref name="values"/> holds row after row
    /// (<see cref="RowBinder.Recording"/>), sorted column by column in <paramref name="order"/>: integers by value, text
    /// ordinally (as SQLite's BINARY collation but for supplementary characters against U+E000–U+FFFF, which costs only
    /// locality, never a result).
    /// </summary>
    public static int[] Sort(RecordedKeys values, int count, int[] order)
    {
        var rows = new int[count];
        for (var i = 0; i < count; i++)
            rows[i] = i;
        var width = values.Width;
        Array.Sort(rows, (a, b) =>
        {
            foreach (var column in order)
            {
                var c = values.Compare(a * width + column, b * width + column);
                if (c != 0)
                    return c;
            }
            return 0;
        });
        return rows;
    }
}

/// <summary>Key values of several rows, row after row, each an integer or a text (<see cref="RowBinder.Recording"/>).</summary>
internal sealed class RecordedKeys(int width, int rows)
{
    public int Width { get; } = width;
    public long[] Numbers { get; } = new long[width * rows];
    public string?[] Texts { get; } = new string?[width * rows];

    public int Compare(int a, int b) =>
        Texts[a] is { } x && Texts[b] is { } y ? string.CompareOrdinal(x, y) : Numbers[a].CompareTo(Numbers[b]);
}
