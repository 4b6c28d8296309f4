namespace Zespan.Storage.Sqlite;

/// <summary>
/// Writes a rollup of signed session counts (a key and a <c>sessions</c> column) kept by the writer's deltas: the
/// non-zero deltas are added by batched upserts and a row brought to 0 sessions is deleted (<see cref="RollupUpsert{TKey, TSums}"/>),
/// so the table equals its GROUP BY. <paramref name="bindKey"/> binds a key's values in the order of <paramref name="keyColumns"/>.
/// </summary>
internal static class CountRows
{
    public static void Flush<TKey>(SessionRollupDeltas owner, string table, string[] keyColumns, Dictionary<TKey, long> deltas, Action<RowBinder, TKey> bindKey)
        where TKey : notnull
    {
        if (deltas.Count == 0)
            return;
        var upsert = new RollupUpsert<TKey, long>(owner, table, keyColumns, ["sessions"], "sessions = sessions + excluded.sessions",
            bindKey, (binder, n) => binder.Add(n));
        foreach (var (key, n) in deltas)
        {
            if (n != 0)
                upsert.Add(key, n, n);
        }
        upsert.Finish();
        deltas.Clear();
    }
}
