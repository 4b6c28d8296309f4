using Zespan.Core.Spans;

namespace Zespan.Storage.Conformance;

/// <summary>Short ways to make stored spans for tests. Costs are given in picodollars as a writer receives them.</summary>
public static class TestSpans
{
    /// <summary>A fixed day in the past (Tuesday 10 November 2026, 00:00 UTC) so no test depends on the clock.</summary>
    public static readonly long Day0 = new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    public const long Hour = 3_600_000;
    public const long Day = 86_400_000;

    public static SpanRecord Llm(
        string id, string? sessionId, long startMs, long latencyMs = 1_000, string? model = "gpt-4o",
        long inputTokens = 100, long outputTokens = 50, long? costPico = 1_000_000, string? userId = null,
        string traceId = "trace-1", SpanStatus status = SpanStatus.Ok, string? parentId = null) => new()
        {
            Id = id,
            TraceId = traceId,
            ParentId = parentId,
            SessionId = sessionId,
            UserId = userId,
            Name = "chat.completions.create",
            Kind = SpanKind.Llm,
            Model = model,
            Provider = "openai",
            StartMs = startMs,
            EndMs = startMs + latencyMs,
            Usage = new TokenUsage(inputTokens, outputTokens, 0, 0),
            CostPico = costPico,
            CostSource = costPico is null ? CostSource.None : CostSource.BuiltInTable,
            Status = status,
            Error = status == SpanStatus.Error ? "rate limited" : null,
        };

    public static SpanRecord Work(string id, string traceId, long startMs, long latencyMs = 5_000, string? parentId = null, string name = "handle-message") => new()
    {
        Id = id,
        TraceId = traceId,
        ParentId = parentId,
        Name = name,
        Kind = SpanKind.Span,
        StartMs = startMs,
        EndMs = startMs + latencyMs,
    };

    public static SpanRecord WithMetadata(this SpanRecord span, params (string Key, string Value)[] values) => span with
    {
        MetadataJson = "{" + string.Join(",", values.Select(v => $"\"{v.Key}\":\"{v.Value}\"")) + "}",
        MetadataValues = values.ToDictionary(v => v.Key, v => v.Value),
    };

    public static SpanRecord WithTags(this SpanRecord span, params string[] tags) => span with { Tags = tags };
}
