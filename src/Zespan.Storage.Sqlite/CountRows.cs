namespace Zespan.Storage.Sqlite;

/// <summary>
/// Writes a rollup of signed session counts (a key and a <c>sessions</c> column) kept by the writer's deltas: each
/// non-zero delta is added with one upsert, and a row brought to 0 sessions is deleted, so the table equals its GROUP BY.
/// The key's parameters are named after its columns (<c>$project_id</c>, …); <paramref name="bind"/> sets them.
/// </summary>
internal static class CountRows
{
    public static void Flush<TKey>(SessionRollupDeltas owner, string table, string[] keyColumns, Dictionary<TKey, long> deltas, Action<RawStatement, TKey> bind)
        where TKey : notnull
    {
        if (deltas.Count == 0)
            return;
        var columns = string.Join(", ", keyColumns);
        var upsert = owner.Statement($"""
            INSERT INTO {table} ({columns}, sessions) VALUES ({string.Join(", ", keyColumns.Select(c => "$" + c))}, $n)
            ON CONFLICT ({columns}) DO UPDATE SET sessions = sessions + excluded.sessions
            """);
        var empty = owner.Statement($"DELETE FROM {table} WHERE {string.Join(" AND ", keyColumns.Select(c => $"{c} = ${c}"))} AND sessions = 0");
        foreach (var (key, n) in deltas)
        {
            if (n == 0)
                continue;
            bind(upsert, key);
            upsert.Set("$n", n);
            upsert.Execute();
            // Only a negative delta can empty a row; binding the delete for every row was a third of the flush's binds.
            if (n < 0)
            {
                bind(empty, key);
                empty.Execute();
            }
        }
        deltas.Clear();
    }
}
