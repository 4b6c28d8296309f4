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
    long CostPico,
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

/// <summary>Filters of the traces list; all optional and combinable.</summary>
public sealed record TraceQuery
{
    public long? FromMs { get; init; }
    public long? ToMs { get; init; }
    public string? UserId { get; init; }
    public string? SessionId { get; init; }
    public string? Model { get; init; }
    public SpanStatus? Status { get; init; }
    public int Limit { get; init; } = 50;
    /// <summary>Keyset position: start time and trace id of the last row of the previous page.</summary>
    public (long StartedMs, string TraceId)? After { get; init; }
    /// <summary>
    /// Oldest first instead of newest first; "After" then means after in that order. Listing oldest first after a row
    /// yields the rows before it, nearest first: how the Traces view goes back a page without a list of earlier cursors.
    /// </summary>
    public bool OldestFirst { get; init; }
}

/// <summary>Every span of a trace, enough to draw its flame graph.</summary>
public sealed record TraceDetail(string TraceId, IReadOnlyList<SpanRecord> Spans);
