namespace Zespan.Storage.Sqlite;

/// <summary>
/// Adds signed deltas to a rollup table with a <c>sessions</c> column, through one
/// <c>INSERT … VALUES (…), (…), … ON CONFLICT (key) DO UPDATE</c> per <see cref="RowsPerStatement"/> rows instead of one
/// statement per row; a negative delta that takes all of a row's sessions deletes the row instead, so the table equals
/// its GROUP BY.
/// Why batched: a new session adds ~36 rows to the per-kind rollups (issue 15, session 11's profile: ~3.4 upserts per
/// span), and each execution of a one-row upsert pays SQLite's per-statement work (the transaction check, opening the
/// table's cursor, the reset) and two calls into SQLite that cross the GC boundary; batched, those are paid once per
/// 32 rows. What is written is the same: the keys are distinct (a dictionary's), so no row of a batch conflicts with
/// another of the same batch, and each row is added exactly as the one-row upsert added it.
/// Why deleted first: a session whose figures move leaves its old rows, and those mostly held only it (session_kind_costs
/// is keyed by the exact cost): updated to 0 and then deleted, each cost a row in an upsert and a DELETE; with live
/// traffic (a session upserted at each call) that was ~64,000 DELETEs per 60,000 spans (docs/benchmarks.md, session 37).
/// A row left with no session has no sums either (the table is a GROUP BY of the session rows), so it goes whole.
/// Rows are queued and written at <see cref="Finish"/> in the table's key order (<see cref="KeyOrder"/>).
/// Parameters are positional (<see cref="RowBinder"/>): bindKey binds the key in the order of keyColumns, bindSums the
/// sums in the order of sumColumns.
/// </summary>
internal sealed class RollupUpsert<TKey, TSums>(
    SessionRollupDeltas owner, string table, string[] keyColumns, string[] sumColumns, string update,
    Action<RowBinder, TKey> bindKey, Action<RowBinder, TSums> bindSums)
{
    /// <summary>Rows per statement: enough that the per-statement cost all but vanishes, far below SQLite's parameter limit.</summary>
    public const int RowsPerStatement = 32;

    private readonly List<(TKey Key, TSums Sums, long Sessions)> _added = [];
    private readonly List<(TKey Key, TSums Sums)> _rows = new(RowsPerStatement);
    private RawStatement? _full;
    private RawStatement? _emptied;

    /// <summary>Queues a row's delta; sessions is its delta of the sessions column.</summary>
    public void Add(TKey key, TSums sums, long sessions) => _added.Add((key, sums, sessions));

    /// <summary>
    /// Writes the queued rows in the table's key order (<see cref="KeyOrder"/>): a row is deleted when it holds exactly
    /// the sessions a negative delta takes away, else its delta is upserted.
    /// </summary>
    public void Finish()
    {
        if (_added.Count == 0)
            return;
        var keys = new RecordedKeys(keyColumns.Length, _added.Count);
        var recorder = RowBinder.Recording(keys);
        for (var i = 0; i < _added.Count; i++)
        {
            recorder.StartRow(i);
            bindKey(recorder, _added[i].Key);
        }
        foreach (var i in KeyOrder.Sort(keys, owner.KeyOrder(table, keyColumns)))
        {
            var (key, sums, sessions) = _added[i];
            if (sessions < 0 && DeleteWhenEmptied(key, -sessions))
                continue;
            _rows.Add((key, sums));
            if (_rows.Count == RowsPerStatement)
                Write(_full ??= Prepare(RowsPerStatement));
        }
        if (_rows.Count > 0)
            Write(Prepare(_rows.Count));
        _added.Clear();
    }

    private bool DeleteWhenEmptied(TKey key, long leaving)
    {
        var delete = _emptied ??= owner.Statement($"DELETE FROM {table} WHERE {string.Join(" AND ", keyColumns.Select(c => $"{c} = ?"))} AND sessions = ?");
        var binder = new RowBinder(delete);
        bindKey(binder, key);
        binder.Add(leaving);
        return delete.ExecuteChanges() == 1;
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

/// <summary>
/// Binds values to consecutive positional parameters (1-based, as SQLite numbers <c>?</c>), or records them as one row of
/// <see cref="RecordedKeys"/> (<see cref="Recording"/>), so the same binding lambda gives both a row's parameters and its sort key.
/// </summary>
internal sealed class RowBinder
{
    private readonly RawStatement? _statement;
    private readonly RecordedKeys? _keys;
    private int _start;

    public RowBinder(RawStatement statement) => _statement = statement;

    private RowBinder(RecordedKeys keys) => _keys = keys;

    /// <summary>A binder that records the values bound into <paramref name="keys"/>, row by row (<see cref="StartRow"/>).</summary>
    public static RowBinder Recording(RecordedKeys keys) => new(keys);

    /// <summary>The values bound next are row <paramref name="row"/>'s, from its first column.</summary>
    public void StartRow(int row) => (_start, Next) = (row * _keys!.Width, 1);

    public int Next { get; private set; } = 1;

    public void Add(long value)
    {
        if (_statement is not null)
            _statement.Bind(Next, value);
        else
            _keys!.Numbers[_start + Next - 1] = value;
        Next++;
    }

    public void Add(string value)
    {
        if (_statement is not null)
            _statement.Bind(Next, value);
        else
            _keys!.Texts[_start + Next - 1] = value;
        Next++;
    }
}
