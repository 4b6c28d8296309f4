namespace Zespan.Core.Sessions;

/// <summary>The columns the sessions list can be ordered by.</summary>
public enum SessionSort { StartedAt, DurationMs, Turns, CostUsd, TotalTokens, ErrorCount, ActiveDurationMs, IdleGapCount }

/// <summary>Which sessions to show by their status.</summary>
public enum SessionStatusFilter { Any, Ok, Error }

/// <summary>Filters of the sessions list; all optional and combinable. From/To bound the session start, To exclusive.</summary>
public sealed record SessionFilter
{
    public long? FromMs { get; init; }
    public long? ToMs { get; init; }
    public string? UserId { get; init; }
    public SessionStatusFilter Status { get; init; }
    public int? MinTurns { get; init; }
    /// <summary>Active time (SessionActivity) at least / at most this many milliseconds, both inclusive.</summary>
    public long? MinActiveMs { get; init; }
    /// <summary>At most this many turns (inclusive); with MinTurns, a bar of the turns histogram.</summary>
    public int? MaxTurns { get; init; }
    public long? MaxActiveMs { get; init; }
    /// <summary>Case-insensitive substring of the session's name or id (q=).</summary>
    public string? Query { get; init; }

    /// <summary>
    /// True when a filter is set that the hourly rollups and their fast paths do not hold (active time, text search):
    /// those paths must not answer then, and the sessions themselves are read.
    /// </summary>
    public bool NeedsSessionRows => MinActiveMs is not null || MaxActiveMs is not null || Query is not null || MaxTurns is not null;

    public static SessionFilter None { get; } = new();
}

/// <summary>One page request of the sessions list.</summary>
public sealed record SessionQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public SessionFilter Filter { get; init; } = SessionFilter.None;
    public SessionSort Sort { get; init; } = SessionSort.StartedAt;
    public bool Descending { get; init; } = true;
    public int Limit { get; init; } = DefaultLimit;
    /// <summary>Where the previous page ended; null for the first page.</summary>
    public SessionCursor? After { get; init; }
}

/// <summary>A page of results, the cursor of the next page (null on the last) and the total matching the filters.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor, long TotalCount);
