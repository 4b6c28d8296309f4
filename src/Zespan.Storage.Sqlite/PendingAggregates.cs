using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The aggregate changes of one write transaction, summed in memory and written once per session, trace, hour/model
/// and tag at commit time. Why: a group commit holds thousands of spans, mostly several per session and trace; one
/// upsert per span rewrote the same session row (and its seven sort indexes) again and again, which was most of the
/// writer's cost (bench/Zespan.Bench ingest). Sums add and extremes take min/max, so the result is the same as
/// applying the spans one by one.
/// </summary>
internal sealed class PendingAggregates
{
    private readonly Dictionary<(long, string), SessionDelta> _sessions = [];
    private readonly Dictionary<(long, string), TraceDelta> _traces = [];
    private readonly Dictionary<(long, long, string), HourlyDelta> _hourly = [];
    private readonly HashSet<(long, string, string)> _tags = [];
    private readonly HashSet<(long, string, string, string)> _metadata = [];

    public void AddToSession(long projectId, SpanRecord span)
    {
        var key = (projectId, span.SessionId!);
        if (!_sessions.TryGetValue(key, out var d))
            _sessions[key] = d = new SessionDelta { StartedMs = span.StartMs, EndedMs = span.EndMs };
        d.StartedMs = Math.Min(d.StartedMs, span.StartMs);
        d.EndedMs = Math.Max(d.EndedMs, span.EndMs);
        d.Turns++;
        d.CostPico += span.CostPico ?? 0;
        d.Unpriced += span.CostPico is null ? 1 : 0;
        d.InputTokens += span.Usage.InputTokens;
        d.OutputTokens += span.Usage.OutputTokens;
        d.Errors += span.Status == SpanStatus.Error ? 1 : 0;
        d.LatencySumMs += span.EndMs - span.StartMs;
        d.Calls.Add(new PendingCall(span.StartMs, span.EndMs, span.Id, span.InputJson));
        if (span.SessionName is not null && (d.ExplicitName is null || EarliestSpan.IsEarlier(span.StartMs, span.Id, d.ExplicitNameStartMs, d.ExplicitNameSpanId!)))
            (d.ExplicitName, d.ExplicitNameStartMs, d.ExplicitNameSpanId) = (span.SessionName, span.StartMs, span.Id);
        if (span.UserId is not null && (d.UserId is null || EarliestSpan.IsEarlier(span.StartMs, span.Id, d.UserStartMs, d.UserSpanId!)))
            (d.UserId, d.UserStartMs, d.UserSpanId) = (span.UserId, span.StartMs, span.Id);
        foreach (var tag in span.Tags)
            _tags.Add((projectId, span.SessionId!, tag));
        foreach (var (k, v) in span.MetadataValues)
            _metadata.Add((projectId, span.SessionId!, k, v));
    }

    public void AddToTrace(long projectId, SpanRecord span)
    {
        var key = (projectId, span.TraceId);
        if (!_traces.TryGetValue(key, out var d))
            _traces[key] = d = new TraceDelta { StartedMs = span.StartMs, EndedMs = span.EndMs };
        var isLlm = span.Kind == SpanKind.Llm;
        d.StartedMs = Math.Min(d.StartedMs, span.StartMs);
        d.EndedMs = Math.Max(d.EndedMs, span.EndMs);
        d.SpanCount++;
        d.LlmCalls += isLlm ? 1 : 0;
        d.CostPico += isLlm ? span.CostPico ?? 0 : 0;
        d.Unpriced += isLlm && span.CostPico is null ? 1 : 0;
        d.Tokens += isLlm ? span.Usage.TotalTokens : 0;
        d.Errors += span.Status == SpanStatus.Error ? 1 : 0;
        if (span.ParentId is null && (d.RootSpanId is null || EarliestSpan.IsEarlier(span.StartMs, span.Id, d.RootStartMs, d.RootSpanId)))
            (d.RootName, d.RootStartMs, d.RootSpanId) = (span.Name, span.StartMs, span.Id);
        if (span.UserId is not null && (d.UserId is null || EarliestSpan.IsEarlier(span.StartMs, span.Id, d.UserStartMs, d.UserSpanId!)))
            (d.UserId, d.UserStartMs, d.UserSpanId) = (span.UserId, span.StartMs, span.Id);
        if (span.SessionId is not null && (d.SessionId is null || EarliestSpan.IsEarlier(span.StartMs, span.Id, d.SessionStartMs, d.SessionSpanId!)))
            (d.SessionId, d.SessionStartMs, d.SessionSpanId) = (span.SessionId, span.StartMs, span.Id);
    }

    public void AddToHourly(long projectId, long startMs, string? model, TokenUsage usage, long? costPico, SpanStatus status, int sign)
    {
        var key = (projectId, HourRange.Floor(startMs), model ?? "");
        if (!_hourly.TryGetValue(key, out var d))
            _hourly[key] = d = new HourlyDelta();
        d.Calls += sign;
        d.CostPico += sign * (costPico ?? 0);
        d.Unpriced += sign * (costPico is null ? 1 : 0);
        d.InputTokens += sign * usage.InputTokens;
        d.OutputTokens += sign * usage.OutputTokens;
        d.CachedInputTokens += sign * usage.CachedInputTokens;
        d.ReasoningTokens += sign * usage.ReasoningTokens;
        d.Errors += sign * (status == SpanStatus.Error ? 1 : 0);
    }

    /// <summary>Writes every delta; sessions and traces about to be rebuilt from their spans are skipped (the rebuild includes these spans).</summary>
    public void Flush(SpanWriteStatements statements, HashSet<(long, string)> sessionsToRebuild, HashSet<(long, string)> tracesToRebuild)
    {
        foreach (var ((projectId, sessionId), d) in _sessions)
        {
            if (sessionsToRebuild.Contains((projectId, sessionId)))
                continue;
            // A call earlier than a stored one can close an idle gap: only a recomputation from all calls is exact then.
            if (SessionActivityRows.FoldIn(statements, projectId, sessionId, d) is { } folded)
                statements.AddToSession(projectId, sessionId, d, folded);
            else
                sessionsToRebuild.Add((projectId, sessionId));
        }
        foreach (var (projectId, sessionId, tag) in _tags)
        {
            if (!sessionsToRebuild.Contains((projectId, sessionId)))
                statements.AddSessionTag(projectId, sessionId, tag);
        }
        // At most MaxValuesPerKeyPerSession values per key and session: this batch's smallest, then the stored rows are trimmed
        // back to the smallest of old and new together.
        foreach (var session in _metadata.GroupBy(m => (m.Item1, m.Item2)))
        {
            var (projectId, sessionId) = session.Key;
            if (sessionsToRebuild.Contains((projectId, sessionId)))
                continue;
            foreach (var key in MetadataValues.SessionGrouping(session.Select(m => (m.Item3, m.Item4))).GroupBy(p => p.Key, StringComparer.Ordinal))
            {
                foreach (var (_, value) in key)
                    statements.AddSessionMetadata(projectId, sessionId, key.Key, value);
                statements.TrimSessionMetadata(projectId, sessionId, key.Key);
            }
        }
        foreach (var ((projectId, traceId), d) in _traces)
        {
            if (!tracesToRebuild.Contains((projectId, traceId)))
                statements.AddToTrace(projectId, traceId, d);
        }
        FlushHourly(statements);
    }

    public void FlushHourly(SpanWriteStatements statements)
    {
        foreach (var ((projectId, hour, model), d) in _hourly)
            statements.AddToHourly(projectId, hour, model, d);
    }
}

internal sealed class SessionDelta
{
    public string? UserId, UserSpanId, ExplicitName, ExplicitNameSpanId;
    public long UserStartMs, StartedMs, EndedMs, Turns, CostPico, Unpriced, InputTokens, OutputTokens, Errors, LatencySumMs, ExplicitNameStartMs;
    /// <summary>This batch's calls of the session, for active time and the name from the first user message.</summary>
    public List<PendingCall> Calls { get; } = [];
}

internal readonly record struct PendingCall(long StartMs, long EndMs, string SpanId, string? InputJson);

internal sealed class TraceDelta
{
    public string? RootName, RootSpanId, UserId, UserSpanId, SessionId, SessionSpanId;
    public long RootStartMs, UserStartMs, SessionStartMs, StartedMs, EndedMs, SpanCount, LlmCalls, CostPico, Unpriced, Tokens, Errors;
}

internal sealed class HourlyDelta
{
    public long Calls, CostPico, Unpriced, InputTokens, OutputTokens, CachedInputTokens, ReasoningTokens, Errors;
}
