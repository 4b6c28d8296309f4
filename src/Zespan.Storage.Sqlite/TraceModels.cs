using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Keeps trace_models (migration 480): one row per trace and model of any of its spans, with the trace's start and
/// whether it has an errored span, so the traces list filtered by a model walks that model's traces in start order, or
/// its errored ones (SqliteTraceReader). Two writers of a trace row keep it: the upsert only adds spans, so it adds
/// their models and updates the trace's rows when it now starts earlier or has its first error; a rebuild (a span
/// replaced, moved or deleted) knows all the trace's spans, so it writes the rows again. A replacement in place that
/// changes a span's model or status is rebuilt (SqliteSpanWriter.Replace).
/// Every row it inserts, moves or deletes is also counted, as a signed delta, in the hour of its start
/// (SessionRollupDeltas.CountModelTrace, trace_model_counts_hourly, migration 510): the deltas follow the rows this
/// class changes, read from the rows themselves, so the hourly counts are the rows grouped by hour whatever the change.
/// </summary>
internal sealed class TraceModels(SqliteConnection connection, SessionRollupDeltas counts) : IDisposable
{
    private RawStatement? _stored, _move, _add, _clear;

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
            CountStored(row, -1, movedTo: after);
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
        CountStored(row, -1, movedTo: null);
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
        if (add.ExecuteChanges() > 0) // a model the trace already had is ignored, and counted already
            counts.CountModelTrace(projectId, model, trace.StartedMs, trace.Errors > 0, +1);
    }

    /// <summary>
    /// Counts the trace's stored rows with <paramref name="sign"/> in the hour of their stored start, and, when they
    /// are about to move, with the opposite sign where they move to.
    /// </summary>
    private void CountStored(long row, int sign, TraceCountState? movedTo)
    {
        var stored = _stored ??= new RawStatement(connection, "SELECT project_id, model, started_ms, errored FROM trace_models WHERE trace_row = $row");
        stored.Set("$row", row);
        while (stored.Read())
        {
            var (projectId, model) = (stored.GetInt64(0), stored.GetString(1));
            counts.CountModelTrace(projectId, model, stored.GetInt64(2), stored.GetInt64(3) != 0, sign);
            if (movedTo is { } to)
                counts.CountModelTrace(projectId, model, to.StartedMs, to.Errors > 0, -sign);
        }
    }

    public void Dispose()
    {
        _stored?.Dispose();
        _move?.Dispose();
        _add?.Dispose();
        _clear?.Dispose();
    }
}
