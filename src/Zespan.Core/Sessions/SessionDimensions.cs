namespace Zespan.Core.Sessions;

/// <summary>
/// The dimensions a session filter can restrict. Every <see cref="SessionFilter"/> property belongs to one
/// (<see cref="Core.FilterDimensionAttribute"/>, checked by a reflection test), and every fast path that answers from
/// something other than the session rows (a rollup, all-time totals, a planner's estimate) declares the dimensions it
/// holds and answers only when the filter sets no other (<see cref="SessionDimensionsExtensions.Supports"/>).
/// Why: fast paths used to list the filters they knew, so a new filter passed them silently and totals went wrong.
/// </summary>
[Flags]
public enum SessionDimensions
{
    None = 0,
    /// <summary>The session's start in [FromMs, ToMs).</summary>
    Time = 1 << 0,
    /// <summary>The session's user (of its earliest call with one).</summary>
    User = 1 << 1,
    /// <summary>With or without errors.</summary>
    Status = 1 << 2,
    /// <summary>At least this many turns.</summary>
    MinTurns = 1 << 3,
    /// <summary>At most this many turns.</summary>
    MaxTurns = 1 << 4,
    /// <summary>Active time (the session's calls' merged intervals) within [MinActiveMs, MaxActiveMs].</summary>
    ActiveTime = 1 << 5,
    /// <summary>A case-insensitive substring of the session's name or id (q=).</summary>
    Text = 1 << 6,
}

public static class SessionDimensionsExtensions
{
    /// <summary>True when a path holding the <paramref name="supported"/> dimensions can answer the filter exactly.</summary>
    public static bool Supports(this SessionDimensions supported, SessionFilter filter) => (filter.ActiveDimensions & ~supported) == 0;
}
