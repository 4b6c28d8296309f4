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
    /// The indexes of the rows <paramref name="values"/> holds (<see cref="RowBinder.Recording"/>), sorted column by column
    /// in <paramref name="order"/>: integers by value, text ordinally (as SQLite's BINARY collation but for supplementary
    /// characters against U+E000–U+FFFF, which costs only locality, never a result). The texts are first replaced by
    /// their ranks (<see cref="RecordedKeys.RankTexts"/>), so the sort compares integers only: through a delegate and
    /// string comparisons it was 4.1 % of all samples of ingest-stages with live traffic, now 2.0 % (docs/benchmarks.md,
    /// session 39).
    /// </summary>
    public static int[] Sort(RecordedKeys values, int[] order)
    {
        values.RankTexts();
        var rows = new int[values.Rows];
        for (var i = 0; i < rows.Length; i++)
            rows[i] = i;
        Array.Sort(rows, new RowComparer(values.Numbers, values.Width, order));
        return rows;
    }

    /// <summary>Compares two rows' integer keys in the key's column order.</summary>
    private readonly struct RowComparer(long[] numbers, int width, int[] order) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            foreach (var column in order)
            {
                var c = numbers[a * width + column].CompareTo(numbers[b * width + column]);
                if (c != 0)
                    return c;
            }
            return 0;
        }
    }
}

/// <summary>
/// Key values of several rows, row after row, each an integer or a text (<see cref="RowBinder.Recording"/>). Allocated
/// per flush: renting these arrays and the flush's queue from the shared pool instead raised the server's peak RSS from
/// ~380 to ~610 MB with no change in CPU per span (docs/benchmarks.md, session 39).
/// </summary>
internal sealed class RecordedKeys(int width, int rows)
{
    public int Width { get; } = width;
    public int Rows { get; } = rows;
    public long[] Numbers { get; } = new long[width * rows];
    public string?[] Texts { get; } = new string?[width * rows];

    /// <summary>
    /// Replaces, in every column that holds text, each row's number by the text's rank among the column's distinct
    /// texts in ordinal order (a row without text ranks first, as SQLite orders NULL).
    /// </summary>
    public void RankTexts()
    {
        for (var column = 0; column < Width; column++)
        {
            Dictionary<string, long>? ranks = null;
            for (var row = 0; row < Rows; row++)
            {
                if (Texts[row * Width + column] is { } text)
                    (ranks ??= new(StringComparer.Ordinal))[text] = 0;
            }
            if (ranks is null)
                continue;
            var distinct = ranks.Keys.ToArray();
            Array.Sort(distinct, StringComparer.Ordinal);
            for (var rank = 0; rank < distinct.Length; rank++)
                ranks[distinct[rank]] = rank;
            for (var row = 0; row < Rows; row++)
            {
                var at = row * Width + column;
                Numbers[at] = Texts[at] is { } text ? ranks[text] : -1;
            }
        }
    }
}
