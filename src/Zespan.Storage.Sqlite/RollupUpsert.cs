namespace Zespan.Storage.Sqlite;

/// <summary>
/// Adds signed deltas to a rollup table with a <c>sessions</c> column, through one
/// <c>INSERT … VALUES (…), (…), … ON CONFLICT (key) DO UPDATE</c> per <see cref="RowsPerStatement"/> rows instead of one
/// statement per row, then deletes the rows whose sessions a negative delta brought to 0, so the table equals its GROUP BY.
/// Why batched: a new session adds ~36 rows to the per-kind rollups (issue 15, session 11's profile: ~3.4 upserts per
/// span), and each execution of a one-row upsert pays SQLite's per-statement work (the transaction check, opening the
/// table's cursor, the reset) and two calls into SQLite that cross the GC boundary; batched, those are paid once per
/// 32 rows. What is written is the same: the keys are distinct (a dictionary's), so no row of a batch conflicts with
/// another of the same batch, and each row is added exactly as the one-row upsert added it.
/// Parameters are positional (<see cref="RowBinder"/>): bindKey binds the key in the order of keyColumns, bindSums the
/// sums in the order of sumColumns.
/// </summary>
internal sealed class RollupUpsert<TKey, TSums>(
    SessionRollupDeltas owner, string table, string[] keyColumns, string[] sumColumns, string update,
    Action<RowBinder, TKey> bindKey, Action<RowBinder, TSums> bindSums)
{
    /// <summary>Rows per statement: enough that the per-statement cost all but vanishes, far below SQLite's parameter limit.</summary>
    public const int RowsPerStatement = 32;

    private readonly List<(TKey Key, TSums Sums)> _rows = new(RowsPerStatement);
    private List<TKey>? _emptied;
    private RawStatement? _full;

    /// <summary>Queues a row's delta; sessions is its delta of the sessions column (negative: the row may be emptied).</summary>
    public void Add(TKey key, TSums sums, long sessions)
    {
        _rows.Add((key, sums));
        if (sessions < 0)
            (_emptied ??= []).Add(key);
        if (_rows.Count == RowsPerStatement)
            Write(_full ??= Prepare(RowsPerStatement));
    }

    /// <summary>Writes the rows still queued (a shorter statement), then deletes the rows left with no session.</summary>
    public void Finish()
    {
        if (_rows.Count > 0)
            Write(Prepare(_rows.Count));
        if (_emptied is null)
            return;
        var empty = owner.Statement($"DELETE FROM {table} WHERE {string.Join(" AND ", keyColumns.Select(c => $"{c} = ?"))} AND sessions = 0");
        foreach (var key in _emptied)
        {
            bindKey(new RowBinder(empty), key);
            empty.Execute();
        }
        _emptied = null;
    }

    private RawStatement Prepare(int rows)
    {
        var row = $"({string.Join(", ", keyColumns.Concat(sumColumns).Select(_ => "?"))})";
        return owner.Statement($"""
            INSERT INTO {table} ({string.Join(", ", keyColumns.Concat(sumColumns))}) VALUES {string.Join(", ", Enumerable.Repeat(row, rows))}
            ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET {update}
            """);
    }

    private void Write(RawStatement statement)
    {
        var binder = new RowBinder(statement);
        var width = keyColumns.Length + sumColumns.Length;
        foreach (var (key, sums) in _rows)
        {
            var first = binder.Next;
            bindKey(binder, key);
            bindSums(binder, sums);
            if (binder.Next - first != width)
                throw new InvalidOperationException($"{table}: a row bound {binder.Next - first} values for {width} columns.");
        }
        statement.Execute();
        _rows.Clear();
    }
}

/// <summary>Binds values to consecutive positional parameters (1-based, as SQLite numbers <c>?</c>).</summary>
internal sealed class RowBinder(RawStatement statement)
{
    public int Next { get; private set; } = 1;

    public void Add(long value) => statement.Bind(Next++, value);

    public void Add(string value) => statement.Bind(Next++, value);
}
