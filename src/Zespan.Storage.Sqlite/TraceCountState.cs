namespace Zespan.Storage.Sqlite;

/// <summary>
/// What a trace row counts for in the trace counters (SessionRollupDeltas.MoveTrace): the hour of its start and whether
/// it has an errored span. Null where a trace has no row.
/// </summary>
internal readonly record struct TraceCountState(long StartedMs, long Errors);
