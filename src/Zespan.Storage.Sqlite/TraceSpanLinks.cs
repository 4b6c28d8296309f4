using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Keeps trace_spans (migration 470), the link from a trace's row to its spans' rows, for one write transaction: every
/// stored span is linked to the row of its (project, trace id), and to no other. Readers of a trace's spans go through
/// it (trace detail, the traces list's model filter, the trace rebuild). Why a link and not an index on the spans' trace
/// id: SDKs send random trace ids, so each new span's entry went into a random leaf of that index, the largest share of
/// the pages a commit writes on a large file; rows are numbered as they are first written, so a new trace's links are
/// appended. Changes are applied in the order they were made (a span may move twice in one write), after the trace
/// upserts (so new rows exist) and before the rebuilds (which read the links).
/// </summary>
internal sealed class TraceSpanLinks(SqliteConnection connection) : IDisposable
{
    private readonly List<(bool Add, long ProjectId, string TraceId, long SpanRow)> _changes = [];
    private readonly Dictionary<(long, string), long> _rows = [];
    private RawStatement? _findRow, _addEmptyRow, _link, _unlink;

    /// <summary>The span row now belongs to this trace.</summary>
    public void Link(long projectId, string traceId, long spanRow) => _changes.Add((true, projectId, traceId, spanRow));

    /// <summary>The span row moved from one trace to another (a re-send with another trace id).</summary>
    public void Move(long projectId, string fromTraceId, string toTraceId, long spanRow)
    {
        _changes.Add((false, projectId, fromTraceId, spanRow));
        _changes.Add((true, projectId, toTraceId, spanRow));
    }

    /// <summary>The row of a trace, as its upsert just read it: saves the lookup when its spans are linked.</summary>
    public void KnowRow(long projectId, string traceId, long row) => _rows[(projectId, traceId)] = row;

    /// <summary>
    /// Writes the links and unlinks. A trace with no row yet (a span added to or moved into a trace that is to be
    /// rebuilt, which the upsert skips) gets an empty row, which its rebuild fills or deletes (TraceCountState.OfRow).
    /// </summary>
    public void Apply()
    {
        foreach (var (add, projectId, traceId, spanRow) in _changes)
        {
            var row = RowOf(projectId, traceId, createIfMissing: add);
            if (row is null)
                continue;
            var statement = add
                ? _link ??= new RawStatement(connection, "INSERT OR IGNORE INTO trace_spans (trace_row, span_row) VALUES ($t, $s)")
                : _unlink ??= new RawStatement(connection, "DELETE FROM trace_spans WHERE trace_row = $t AND span_row = $s");
            statement.Set("$t", row.Value);
            statement.Set("$s", spanRow);
            statement.Execute();
        }
        _changes.Clear();
    }

    private long? RowOf(long projectId, string traceId, bool createIfMissing)
    {
        if (_rows.TryGetValue((projectId, traceId), out var known))
            return known;
        var find = _findRow ??= new RawStatement(connection, "SELECT id FROM traces WHERE project_id = $p AND trace_id = $t");
        find.Set("$p", projectId);
        find.Set("$t", traceId);
        var row = find.ExecuteScalarInt64();
        if (row is null && createIfMissing)
        {
            var add = _addEmptyRow ??= new RawStatement(connection, """
                INSERT INTO traces (project_id, trace_id, started_ms, ended_ms, span_count, llm_calls, cost_pico, unpriced_calls, total_tokens, error_count)
                VALUES ($p, $t, 0, 0, 0, 0, 0, 0, 0, 0)
                """);
            add.Set("$p", projectId);
            add.Set("$t", traceId);
            row = add.ExecuteInsert();
        }
        if (row is { } found)
            _rows[(projectId, traceId)] = found;
        return row;
    }

    public void Dispose()
    {
        _findRow?.Dispose();
        _addEmptyRow?.Dispose();
        _link?.Dispose();
        _unlink?.Dispose();
    }
}
