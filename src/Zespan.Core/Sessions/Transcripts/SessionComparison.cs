using Zespan.Core.Spans;

namespace Zespan.Core.Sessions.Transcripts;

/// <summary>
/// Tokens, calls and cost of one model within a session. Cost is null when none of the model's calls was priced; it is
/// 128-bit because a session's calls may add up past 2^63 picodollars ($9,223,372.04: ten $1,000,000 calls).
/// </summary>
public sealed record ModelUsage(string? Model, int Calls, long InputTokens, long OutputTokens, Int128? CostPico, int UnpricedCalls)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>
/// One session's side of a comparison: the figures that answer "why did this conversation cost 10× that one?", all
/// derived from its calls and transcript.
/// </summary>
/// <param name="LatencyP50Ms">Median call latency (the mean of the two middle values for an even count).</param>
/// <param name="LatencyP95Ms">Nearest-rank p95 of call latency.</param>
/// <param name="ToolCalls">Tool calls the model asked for in the whole session (see <see cref="SessionComparison.ToolCallsAsked"/>).</param>
/// <param name="Transcript">
/// The transcript's turns built: all of them, or one page (each turn's Number is still its place in the session).
/// </param>
/// <param name="CumulativeCostPico">
/// Cost of turns 1..n for each turn n, over priced calls; null until the first priced call (unknown is not $0). 128-bit,
/// as a session's cost (issue 12).
/// </param>
public sealed record ComparedSession(
    SessionSummary Session,
    IReadOnlyList<ModelUsage> ByModel,
    long LatencyP50Ms,
    long LatencyP95Ms,
    int ToolCalls,
    IReadOnlyList<Int128?> CumulativeCostPico,
    Transcript Transcript,
    int UnknownUsageCalls)
{
    /// <summary>The session's turns (LLM calls), whether or not the transcript holds them all.</summary>
    public int TurnCount => CumulativeCostPico.Count;
}

public static class SessionComparison
{
    public const int MinSessions = 2;
    public const int MaxSessions = 4;

    /// <param name="idleGapMs">The project's idle gap threshold, for the transcript's idle gap markers (null: none).</param>
    public static ComparedSession Compare(SessionDetail detail, long? idleGapMs = null) =>
        Compare(detail, idleGapMs, 0, detail.Timeline.Count);

    /// <summary>
    /// The figures over the whole session and the transcript's turns <paramref name="fromTurn"/> (0-based) to
    /// <paramref name="fromTurn"/> + <paramref name="turnCount"/> only. Needs every call's completion (for the tool calls)
    /// but prompts only from <see cref="TranscriptBuilder.ContextStart"/> to the last turn shown.
    /// </summary>
    public static ComparedSession Compare(SessionDetail detail, long? idleGapMs, int fromTurn, int turnCount)
    {
        var calls = detail.Timeline;
        var latencies = calls.Select(c => c.LatencyMs).Order().ToList();
        var byModel = calls
            .GroupBy(c => c.Model)
            .Select(g => new ModelUsage(
                g.Key, g.Count(), g.Sum(c => c.Usage.InputTokens), g.Sum(c => c.Usage.OutputTokens),
                g.Any(c => c.CostPico is not null) ? SumOfPriced(g) : null, g.Count(c => c.CostPico is null)))
            .OrderByDescending(m => m.CostPico ?? -1).ThenByDescending(m => m.TotalTokens).ThenBy(m => m.Model, StringComparer.Ordinal)
            .ToList();
        var cumulative = new List<Int128?>(calls.Count);
        Int128? running = null;
        foreach (var call in calls)
        {
            if (call.CostPico is { } cost)
                running = (running ?? 0) + cost;
            cumulative.Add(running);
        }
        var transcript = TranscriptBuilder.Build(calls, idleGapMs, fromTurn, turnCount);
        return new ComparedSession(detail.Session, byModel, Percentiles.Median(latencies), Percentiles.NearestRank(latencies, 0.95),
            ToolCallsAsked(calls), cumulative, transcript, detail.UnknownUsageCalls);
    }

    /// <summary>The cost of the priced calls, summed in 128 bits: a checked 64-bit sum threw past $9,223,372.04.</summary>
    private static Int128 SumOfPriced(IEnumerable<TimelineEntry> calls)
    {
        Int128 sum = 0;
        foreach (var call in calls)
            sum += call.CostPico ?? 0;
        return sum;
    }

    /// <summary>
    /// The tool calls the model asked for: those in the calls' completions, each once (a later prompt re-sends them, and
    /// only the completion is where the model asked). Reads every completion, never a prompt.
    /// </summary>
    public static int ToolCallsAsked(IEnumerable<TimelineEntry> calls) =>
        calls.Sum(c => c.OutputJson is null ? 0 : MessageParser.Parse(c.OutputJson, MessageOrigin.Output).Sum(m => m.ToolCalls.Count));
}
