namespace Zespan.Storage.ClickHouse;

/// <summary>
/// A session ('' for none) and trace ('' for a tombstone without one) that a span has had a version in, with its newest
/// version there: a row of a write's lookup in span_keys (<see cref="ClickHouseSql.KeysOfSpans"/>).
/// </summary>
internal sealed record SpanKey(string SpanId, string SessionId, string TraceId, ulong Version);
