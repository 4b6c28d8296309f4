namespace Zespan.Core.Traces;

/// <summary>
/// The dimensions a traces-list query can restrict, as <see cref="Sessions.SessionDimensions"/> for sessions: every filter
/// property of <see cref="TraceQuery"/> belongs to one, and a fast path (the exact per-project trace counter) answers
/// only when the query sets none it does not hold.
/// </summary>
[Flags]
public enum TraceDimensions
{
    None = 0,
    Time = 1 << 0,
    User = 1 << 1,
    Session = 1 << 2,
    Model = 1 << 3,
    Status = 1 << 4,
}

public static class TraceDimensionsExtensions
{
    /// <summary>True when a path holding the <paramref name="supported"/> dimensions can answer the query exactly.</summary>
    public static bool Supports(this TraceDimensions supported, TraceQuery query) => (query.ActiveDimensions & ~supported) == 0;
}
