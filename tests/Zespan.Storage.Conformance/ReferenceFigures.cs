using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.Conformance;

/// <summary>A session's figures as the contract defines them, recomputed by the tests from raw spans.</summary>
public sealed record ExpectedSession(
    string SessionId, string? UserId, long StartedMs, long EndedMs, int Turns, long CostPico, int UnpricedCalls,
    long InputTokens, long OutputTokens, int ErrorCount, double AvgLatencyMs)
{
    public long DurationMs => EndedMs - StartedMs;
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>A trace's figures recomputed from raw spans.</summary>
public sealed record ExpectedTrace(
    string TraceId, string? RootName, long StartedMs, long EndedMs, int SpanCount, int LlmCalls, long CostPico, int UnpricedCalls,
    long TotalTokens, int ErrorCount, string? UserId, string? SessionId);

/// <summary>A model's calls, tokens and cost recomputed from raw spans.</summary>
public sealed record ExpectedModel(string? Model, long Calls, long CostPico, long UnpricedCalls, long InputTokens, long OutputTokens,
    long CachedInputTokens, long ReasoningTokens, long Errors);

/// <summary>
/// The contract's definitions applied directly to a set of raw spans, written independently of any store's aggregation code,
/// so a store's figures can be checked against it.
/// </summary>
public static class ReferenceFigures
{
    public static Dictionary<string, ExpectedSession> Sessions(IEnumerable<SpanRecord> spans)
    {
        var result = new Dictionary<string, ExpectedSession>(StringComparer.Ordinal);
        foreach (var group in spans.Where(s => s.Kind == SpanKind.Llm && s.SessionId is not null).GroupBy(s => s.SessionId!))
        {
            var calls = group.ToList();
            string? user = null;
            SpanRecord? userSpan = null;
            foreach (var span in calls.Where(s => s.UserId is not null))
            {
                if (userSpan is null || span.StartMs < userSpan.StartMs
                    || (span.StartMs == userSpan.StartMs && string.CompareOrdinal(span.Id, userSpan.Id) < 0))
                    userSpan = span;
            }
            user = userSpan?.UserId;
            long start = long.MaxValue, end = long.MinValue, cost = 0, input = 0, output = 0, latency = 0;
            int unpriced = 0, errors = 0;
            foreach (var span in calls)
            {
                start = Math.Min(start, span.StartMs);
                end = Math.Max(end, span.EndMs);
                if (span.CostPico is { } c) cost += c; else unpriced++;
                input += span.Usage.InputTokens;
                output += span.Usage.OutputTokens;
                latency += span.EndMs - span.StartMs;
                if (span.Status == SpanStatus.Error) errors++;
            }
            result[group.Key] = new ExpectedSession(group.Key, user, start, end, calls.Count, cost, unpriced, input, output, errors, (double)latency / calls.Count);
        }
        return result;
    }

    public static Dictionary<string, ExpectedTrace> Traces(IEnumerable<SpanRecord> spans)
    {
        var result = new Dictionary<string, ExpectedTrace>(StringComparer.Ordinal);
        foreach (var group in spans.GroupBy(s => s.TraceId))
        {
            // Earliest by start, ties by span id.
            var ordered = group.OrderBy(s => s.StartMs).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
            var llm = ordered.Where(s => s.Kind == SpanKind.Llm).ToList();
            result[group.Key] = new ExpectedTrace(
                group.Key,
                ordered.FirstOrDefault(s => s.ParentId is null)?.Name,
                ordered.Min(s => s.StartMs), ordered.Max(s => s.EndMs), ordered.Count, llm.Count,
                llm.Sum(s => s.CostPico ?? 0), llm.Count(s => s.CostPico is null),
                llm.Sum(s => s.Usage.InputTokens + s.Usage.OutputTokens),
                ordered.Count(s => s.Status == SpanStatus.Error),
                ordered.FirstOrDefault(s => s.UserId is not null)?.UserId,
                ordered.FirstOrDefault(s => s.SessionId is not null)?.SessionId);
        }
        return result;
    }

    /// <summary>Per model over LLM spans whose start lies in [from, to).</summary>
    public static Dictionary<string, ExpectedModel> Models(IEnumerable<SpanRecord> spans, long? fromMs = null, long? toMs = null)
    {
        var result = new Dictionary<string, ExpectedModel>(StringComparer.Ordinal);
        var inRange = spans.Where(s => s.Kind == SpanKind.Llm && (fromMs is null || s.StartMs >= fromMs) && (toMs is null || s.StartMs < toMs));
        foreach (var group in inRange.GroupBy(s => s.Model ?? ""))
        {
            var calls = group.ToList();
            result[group.Key] = new ExpectedModel(group.Key.Length == 0 ? null : group.Key, calls.Count, calls.Sum(s => s.CostPico ?? 0),
                calls.Count(s => s.CostPico is null), calls.Sum(s => s.Usage.InputTokens), calls.Sum(s => s.Usage.OutputTokens),
                calls.Sum(s => s.Usage.CachedInputTokens), calls.Sum(s => s.Usage.ReasoningTokens), calls.Count(s => s.Status == SpanStatus.Error));
        }
        return result;
    }

    /// <summary>
    /// The breakdown of the given sessions by user, tag or metadata value: a session counts once in each of its groups
    /// (tags and metadata values of its LLM calls), or in the null group when it has none; cost descending, then the
    /// group in code point order with the null group first.
    /// </summary>
    public static List<SessionGroupCost> Breakdown(IReadOnlyCollection<SpanRecord> spans, IEnumerable<ExpectedSession> sessions, SessionGrouping grouping)
    {
        var calls = spans.Where(s => s.Kind == SpanKind.Llm && s.SessionId is not null).ToLookup(s => s.SessionId!);
        IEnumerable<string?> GroupsOf(ExpectedSession session)
        {
            var values = grouping switch
            {
                SessionGrouping.ByUser => [session.UserId],
                SessionGrouping.ByTag => calls[session.SessionId].SelectMany(c => c.Tags).Distinct().Cast<string?>().ToList(),
                SessionGrouping.ByMetadata m => calls[session.SessionId]
                    .Select(c => c.MetadataValues.TryGetValue(m.Key, out var v) ? v : null).OfType<string>().Distinct().Cast<string?>().ToList(),
                _ => throw new ArgumentOutOfRangeException(nameof(grouping)),
            };
            return values.Count == 0 ? [null] : values;
        }
        return sessions
            .SelectMany(s => GroupsOf(s).Select(g => (Group: g, Session: s)))
            .GroupBy(p => (p.Group is null, p.Group ?? ""))
            .Select(g => new SessionGroupCost(g.First().Group, g.Count(), g.Aggregate(Int128.Zero, (sum, p) => sum + p.Session.CostPico), g.Sum(p => (long)p.Session.Turns), g.Sum(p => p.Session.TotalTokens)))
            .OrderByDescending(g => g.TotalCostPico).ThenBy(g => g.Group is null ? 0 : 1).ThenBy(g => g.Group, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Median averaging the two middle values (rounded half away from zero) and nearest-rank percentile, as documented.</summary>
    public static long Median(List<long> sorted) =>
        sorted.Count == 0 ? 0
        : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
        : (long)Math.Round((sorted[sorted.Count / 2 - 1] + (decimal)sorted[sorted.Count / 2]) / 2, MidpointRounding.AwayFromZero);

    public static long NearestRank(List<long> sorted, double p)
    {
        if (sorted.Count == 0)
            return 0;
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Max(1, Math.Min(rank, sorted.Count)) - 1];
    }
}
