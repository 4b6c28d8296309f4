using Zespan.Core.Spans;

namespace Zespan.Core.Traces;

/// <summary>One row of the traces list, kept as spans arrive.</summary>
public sealed record TraceSummary(
    string TraceId,
    string? RootName,
    long StartedMs,
    long EndedMs,
    int SpanCount,
    int LlmCalls,
    Int128 CostPico,
    int UnpricedCalls,
    long TotalTokens,
    int ErrorCount,
    string? UserId,
    string? SessionId)
{
    public long DurationMs => EndedMs - StartedMs;
    /// <summary>True when the trace has LLM calls and none could be priced: its cost is unknown, not zero.</summary>
    public bool CostUnknown => Money.IsUnknown(LlmCalls, UnpricedCalls);
    public SpanStatus Status => ErrorCount > 0 ? SpanStatus.Error : SpanStatus.Ok;
}

/// <summary>
/// Filters of the traces list; all optional and combinable. A new filter property needs its
/// <see cref="FilterDimensionAttribute"/> and its case in <see cref="ActiveDimensions"/> (a reflection test checks both).
/// </summary>
public sealed record TraceQuery
{
    [FilterDimension(TraceDimensions.Time)] public long? FromMs { get; init; }
    [FilterDimension(TraceDimensions.Time)] public long? ToMs { get; init; }
    [FilterDimension(TraceDimensions.User)] public string? UserId { get; init; }
    [FilterDimension(TraceDimensions.Session)] public string? SessionId { get; init; }
    [FilterDimension(TraceDimensions.Model)] public string? Model { get; init; }
    [FilterDimension(TraceDimensions.Status)] public SpanStatus? Status { get; init; }
    [NotAFilter] public int Limit { get; init; } = 50;
    /// <summary>Keyset position: start time and trace id of the last row of the previous page.</summary>
    [NotAFilter] public (long StartedMs, string TraceId)? After { get; init; }
    /// <summary>
    /// Oldest first instead of newest first; "After" then means after in that order. Listing oldest first after a row
    /// yields the rows before it, nearest first: how the Traces view goes back a page without a list of earlier cursors.
    /// </summary>
    [NotAFilter] public bool OldestFirst { get; init; }

    /// <summary>The dimensions this query restricts: the one place that says which filter properties are set.</summary>
    public TraceDimensions ActiveDimensions =>
        (FromMs is not null || ToMs is not null ? TraceDimensions.Time : 0)
        | (UserId is not null ? TraceDimensions.User : 0)
        | (SessionId is not null ? TraceDimensions.Session : 0)
        | (Model is not null ? TraceDimensions.Model : 0)
        | (Status is not null ? TraceDimensions.Status : 0);
}

/// <summary>Every span of a trace, enough to draw its flame graph.</summary>
public sealed record TraceDetail(string TraceId, IReadOnlyList<SpanRecord> Spans);
