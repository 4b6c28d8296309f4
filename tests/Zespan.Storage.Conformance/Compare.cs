using Zespan.Core.Costs;
using Zespan.Core.Sessions;
using Zespan.Core.Traces;

namespace Zespan.Storage.Conformance;

/// <summary>Field-by-field comparisons that name the figure and the session, trace or model that differs.</summary>
public static class Compare
{
    public static void Session(ExpectedSession expected, SessionSummary actual, string context = "")
    {
        var where = $"{context} session {expected.SessionId}";
        Assert.Equal(expected.SessionId, actual.SessionId);
        Check(expected.UserId, actual.UserId, where, "userId");
        Check(expected.StartedMs, actual.StartedMs, where, "startedAt");
        Check(expected.EndedMs, actual.EndedMs, where, "endedAt");
        Check(expected.DurationMs, actual.DurationMs, where, "durationMs");
        Check(expected.Turns, actual.Turns, where, "turns");
        Check(expected.CostPico, actual.CostPico, where, "costPico");
        Check(expected.UnpricedCalls, actual.UnpricedCalls, where, "unpricedCalls");
        Check(expected.InputTokens, actual.InputTokens, where, "inputTokens");
        Check(expected.OutputTokens, actual.OutputTokens, where, "outputTokens");
        Check(expected.TotalTokens, actual.TotalTokens, where, "totalTokens");
        Check(expected.ErrorCount, actual.ErrorCount, where, "errorCount");
        Check(expected.ErrorCount > 0, actual.HasErrors, where, "status is error");
        Check(expected.AvgLatencyMs, actual.AvgLatencyMs, where, "avgLatencyMs");
        Check(expected.ActiveMs, actual.ActiveMs, where, "activeDurationMs");
        Check(expected.IdleGaps, actual.IdleGaps, where, "idleGapCount");
    }

    public static void Trace(ExpectedTrace expected, TraceSummary actual, string context = "")
    {
        var where = $"{context} trace {expected.TraceId}";
        Check(expected.RootName, actual.RootName, where, "root name");
        Check(expected.StartedMs, actual.StartedMs, where, "startedMs");
        Check(expected.EndedMs, actual.EndedMs, where, "endedMs");
        Check(expected.SpanCount, actual.SpanCount, where, "span count");
        Check(expected.LlmCalls, actual.LlmCalls, where, "llm calls");
        Check(expected.CostPico, actual.CostPico, where, "costPico");
        Check(expected.UnpricedCalls, actual.UnpricedCalls, where, "unpriced calls");
        Check(expected.TotalTokens, actual.TotalTokens, where, "total tokens");
        Check(expected.ErrorCount, actual.ErrorCount, where, "error count");
        Check(expected.UserId, actual.UserId, where, "userId");
        Check(expected.SessionId, actual.SessionId, where, "sessionId");
    }

    public static void Models(IReadOnlyDictionary<string, ExpectedModel> expected, IReadOnlyList<ModelCost> actual, string context = "")
    {
        var byModel = actual.ToDictionary(m => m.Model ?? "", StringComparer.Ordinal);
        Assert.True(expected.Count == byModel.Count,
            $"{context}: expected models [{string.Join(", ", expected.Keys.Order())}] but got [{string.Join(", ", byModel.Keys.Order())}]");
        foreach (var (model, e) in expected)
        {
            Assert.True(byModel.TryGetValue(model, out var a), $"{context}: model '{model}' missing");
            var where = $"{context} model '{model}'";
            Check(e.Calls, a!.Calls, where, "calls");
            Check(e.CostPico, a.CostPico, where, "costPico");
            Check(e.UnpricedCalls, a.UnpricedCalls, where, "unpriced calls");
            Check(e.InputTokens, a.InputTokens, where, "input tokens");
            Check(e.OutputTokens, a.OutputTokens, where, "output tokens");
            Check(e.CachedInputTokens, a.CachedInputTokens, where, "cached input tokens");
            Check(e.ReasoningTokens, a.ReasoningTokens, where, "reasoning tokens");
            Check(e.Errors, a.Errors, where, "errors");
            Check(e.CacheCreationInputTokens, a.CacheCreationInputTokens, where, "cache creation input tokens");
        }
    }

    private static void Check<T>(T expected, T actual, string where, string figure)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            Assert.Fail($"{where}: {figure} expected {expected} but was {actual}");
    }

    /// <summary>Every group of a breakdown asked for with a limit large enough for all, in the documented order.</summary>
    public static void Breakdown(Dictionary<string, ExpectedGroup> expected, IReadOnlyList<SessionGroupCost> actual, string where)
    {
        Assert.True(expected.Count == actual.Count,
            $"{where}: {actual.Count} groups, expected {expected.Count} ({string.Join(", ", expected.Values.Select(g => g.Group ?? "(null)"))})");
        foreach (var a in actual)
        {
            var e = expected[a.Group is null ? "\0(null)" : "=" + a.Group];
            var group = $"{where} group {a.Group ?? "(null)"}";
            Check(e.Sessions, a.Sessions, group, "sessions");
            Check((Int128)e.CostPico, a.TotalCostPico, group, "cost");
            Check(e.Turns, a.Turns, group, "turns");
            Check(e.TotalTokens, a.TotalTokens, group, "totalTokens");
            Check(e.UnpricedSessions, a.UnpricedSessions, group, "unpricedSessions");
            Check(e.CostUnknown, a.CostUnknown, group, "cost unknown");
        }
        // Known costs first, most expensive first; groups of unknown cost after every known one (docs/api.md).
        var keys = actual.Select(a => (a.CostUnknown, -a.TotalCostPico)).ToList();
        for (var i = 1; i < keys.Count; i++)
            Assert.True(keys[i - 1].CompareTo(keys[i]) <= 0, $"{where}: group {i} ({actual[i].Group}) is out of order");
    }
}
