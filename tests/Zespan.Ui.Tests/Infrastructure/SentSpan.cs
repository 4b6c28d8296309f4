using System.Text.Json.Nodes;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>A span exactly as the test sent it; every expected figure is recomputed from these.</summary>
public sealed record SentSpan(
    string Id, string TraceId, string? ParentId, string? SessionId, string? UserId, string Name, string Kind, string? Model,
    DateTime Start, DateTime End, long InputTokens, long OutputTokens, long CachedInputTokens, string Status, string? Error,
    JsonNode? Input, JsonNode? Output)
{
    public bool IsLlm => Kind == "llm";
    public long LatencyMs => (long)(End - Start).TotalMilliseconds;

    /// <summary>Cost from the contract's formula and the built-in prices the brief lists, in dollars.</summary>
    public decimal CostUsd
    {
        get
        {
            var (input, cached, output) = Model switch
            {
                "gpt-4o" => (2.50m, 1.25m, 10.00m),
                "gpt-4o-mini" => (0.15m, 0.075m, 0.60m),
                _ => throw new InvalidOperationException("no price for " + Model),
            };
            return ((InputTokens - CachedInputTokens) * input + CachedInputTokens * cached + OutputTokens * output) / 1_000_000m;
        }
    }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id, ["traceId"] = TraceId, ["parentId"] = ParentId, ["sessionId"] = SessionId, ["userId"] = UserId,
        ["name"] = Name, ["kind"] = Kind, ["model"] = Model, ["provider"] = IsLlm ? "openai" : null,
        ["startTime"] = Start.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), ["endTime"] = End.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
        ["usage"] = IsLlm ? new JsonObject { ["inputTokens"] = InputTokens, ["outputTokens"] = OutputTokens, ["cachedInputTokens"] = CachedInputTokens, ["reasoningTokens"] = 0 } : null,
        ["status"] = Status, ["error"] = Error, ["input"] = Input?.DeepClone(), ["output"] = Output?.DeepClone(),
        ["metadata"] = new JsonObject { ["feature"] = "support-chat" }, ["tags"] = new JsonArray("ui-test"),
    };
}

/// <summary>A session's figures recomputed from the sent spans with the contract's definitions.</summary>
public sealed record ExpectedSession(string SessionId, string? UserId, DateTime Started, DateTime Ended, int Turns, decimal CostUsd,
    long InputTokens, long OutputTokens, int Errors, double AvgLatencyMs)
{
    public long TotalTokens => InputTokens + OutputTokens;
    public long DurationMs => (long)(Ended - Started).TotalMilliseconds;

    public static IReadOnlyList<ExpectedSession> From(IEnumerable<SentSpan> spans) => spans
        .Where(s => s.IsLlm && s.SessionId is not null)
        .GroupBy(s => s.SessionId!)
        .Select(g =>
        {
            var ordered = g.OrderBy(s => s.Start).ToList();
            return new ExpectedSession(g.Key, ordered.FirstOrDefault(s => s.UserId is not null)?.UserId, ordered.Min(s => s.Start), ordered.Max(s => s.End),
                ordered.Count, ordered.Sum(s => s.CostUsd), ordered.Sum(s => s.InputTokens), ordered.Sum(s => s.OutputTokens),
                ordered.Count(s => s.Status == "error"), ordered.Average(s => (double)s.LatencyMs));
        })
        .ToList();
}
