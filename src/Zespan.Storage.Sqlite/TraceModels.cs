using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Keeps trace_models (migration 480): one row per trace and model of any of its spans, with the trace's start and
/// whether it has an errored span, so the traces list filtered by a model walks that model's traces in start order, or
/// its errored ones (SqliteTraceReader). Two writers of a trace row keep it: the upsert only adds spans, so it adds
/// their models and updates the trace's rows when it now starts earlier or has its first error; a rebuild (a span
/// replaced, moved or deleted) knows all the trace's spans, so it writes the rows again. A replacement in place that
/// changes a span's model or status is rebuilt (SqliteSpanWriter.Replace).
/// </summary>
internal sealed class TraceModels(SqliteConnection connection) : IDisposable
{
    private RawStatement? _move, _add, _clear;

    /// <summary>
    /// After a trace's upsert: the models of its new spans, and what the row counted for before (null: it is new) and
    /// after the merge.
    /// </summary>
    public void Added(long projectId, long row, TraceCountState? before, TraceCountState after, IReadOnlyCollection<string> models)
    {
        // An earlier span or a first error moves the trace's stored rows; the writer knows both states, so a trace that
        // kept its start and mark costs no statement here.
        if (before is { } b && (b.StartedMs != after.StartedMs || b.Errors > 0 != after.Errors > 0))
        {
            var move = _move ??= new RawStatement(connection, "UPDATE trace_models SET started_ms = $started, errored = $errored WHERE trace_row = $row");
            move.Set("$row", row);
            move.Set("$started", after.StartedMs);
            move.Set("$errored", after.Errors > 0 ? 1 : 0);
            move.Execute();
        }
        foreach (var model in models)
            Add(projectId, row, after, model);
    }

    /// <summary>A rebuilt trace's rows: exactly the models of its spans now.</summary>
    public void Rebuilt(long projectId, long row, TraceCountState now, IReadOnlyCollection<string> models)
    {
        Gone(row);
        foreach (var model in models)
            Add(projectId, row, now, model);
    }

    /// <summary>The trace row was deleted (its last span went): so are its models.</summary>
    public void Gone(long row)
    {
        var clear = _clear ??= new RawStatement(connection, "DELETE FROM trace_models WHERE trace_row = $row");
        clear.Set("$row", row);
        clear.Execute();
    }

    private void Add(long projectId, long row, TraceCountState trace, string model)
    {
        var add = _add ??= new RawStatement(connection, """
            INSERT OR IGNORE INTO trace_models (trace_row, model, project_id, started_ms, errored) VALUES ($row, $model, $p, $started, $errored)
            """);
        add.Set("$row", row);
        add.Set("$model", model);
        add.Set("$p", projectId);
        add.Set("$started", trace.StartedMs);
        add.Set("$errored", trace.Errors > 0 ? 1 : 0);
        add.Execute();
    }

    public void Dispose()
    {
        _move?.Dispose();
        _add?.Dispose();
        _clear?.Dispose();
    }
}
