using Zespan.Core.Spans;

namespace Zespan.Core.Sessions;

/// <summary>A session with every LLM call in chronological order.</summary>
public sealed record SessionDetail(SessionSummary Session, IReadOnlyList<TimelineEntry> Timeline)
{
    /// <summary>Calls whose response carried no usage: unknown tokens, left out of the session's token sums.</summary>
    public int UnknownUsageCalls => Timeline.Count(e => !e.UsageReported);
}

/// <summary>One LLM call in a session's timeline.</summary>
public sealed record TimelineEntry(
    string SpanId,
    string TraceId,
    string Name,
    string? Model,
    long StartMs,
    long EndMs,
    TokenUsage Usage,
    long? CostPico,
    SpanStatus Status,
    string? Error,
    string? InputJson,
    string? OutputJson,
    bool UsageReported = true)
{
    public long LatencyMs => EndMs - StartMs;
}
