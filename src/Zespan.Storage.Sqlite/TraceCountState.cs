namespace Zespan.Storage.Sqlite;

/// <summary>
/// What a trace row counts for in the trace counters (SessionRollupDeltas.MoveTrace): the hour of its start and whether
/// it has an errored span. Null where a trace has no row.
/// </summary>
internal readonly record struct TraceCountState(long StartedMs, long Errors)
{
    /// <summary>
    /// What a stored trace row counts for: null for the empty row (no spans) that TraceSpanLinks makes for a trace new in
    /// a write that rebuilds it, which counts for nothing until the rebuild fills it.
    /// </summary>
    public static TraceCountState? OfRow(long spanCount, long startedMs, long errors) => spanCount == 0 ? null : new TraceCountState(startedMs, errors);
}
