namespace Zespan.Core.Sessions;

/// <summary>The columns the sessions list can be ordered by.</summary>
public enum SessionSort { StartedAt, DurationMs, Turns, CostUsd, TotalTokens, ErrorCount, ActiveDurationMs, IdleGapCount }

/// <summary>Which sessions to show by their status.</summary>
public enum SessionStatusFilter { Any, Ok, Error }

/// <summary>
/// Filters of the sessions list; all optional and combinable. From/To bound the session start, To exclusive.
/// A new property needs its <see cref="FilterDimensionAttribute"/> and its case in <see cref="ActiveDimensions"/>
/// (a reflection test checks both), so every fast path that does not hold it stops answering.
/// </summary>
public sealed record SessionFilter
{
    [FilterDimension(SessionDimensions.Time)] public long? FromMs { get; init; }
    [FilterDimension(SessionDimensions.Time)] public long? ToMs { get; init; }
    [FilterDimension(SessionDimensions.User)] public string? UserId { get; init; }
    [FilterDimension(SessionDimensions.Status)] public SessionStatusFilter Status { get; init; }
    [FilterDimension(SessionDimensions.MinTurns)] public int? MinTurns { get; init; }
    /// <summary>At most this many turns (inclusive); with MinTurns, a bar of the turns histogram.</summary>
    [FilterDimension(SessionDimensions.MaxTurns)] public int? MaxTurns { get; init; }
    /// <summary>Active time (SessionActivity) at least / at most this many milliseconds, both inclusive.</summary>
    [FilterDimension(SessionDimensions.ActiveTime)] public long? MinActiveMs { get; init; }
    [FilterDimension(SessionDimensions.ActiveTime)] public long? MaxActiveMs { get; init; }
    /// <summary>Case-insensitive substring of the session's name or id (q=).</summary>
    [FilterDimension(SessionDimensions.Text)] public string? Query { get; init; }

    public static SessionFilter None { get; } = new();

    /// <summary>The dimensions this filter restricts: the one place that says which properties are set.</summary>
    public SessionDimensions ActiveDimensions =>
        (FromMs is not null || ToMs is not null ? SessionDimensions.Time : 0)
        | (UserId is not null ? SessionDimensions.User : 0)
        | (Status != SessionStatusFilter.Any ? SessionDimensions.Status : 0)
        | (MinTurns is not null ? SessionDimensions.MinTurns : 0)
        | (MaxTurns is not null ? SessionDimensions.MaxTurns : 0)
        | (MinActiveMs is not null || MaxActiveMs is not null ? SessionDimensions.ActiveTime : 0)
        | (Query is not null ? SessionDimensions.Text : 0);
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
