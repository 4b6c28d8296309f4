using Zespan.Core.Costs;
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
    /// <summary>Under the default 5-minute threshold (ReferenceFigures.Activity).</summary>
    public long ActiveMs { get; init; }
    public int IdleGaps { get; init; }
    /// <summary>The session name of its earliest call that carries one (by start, then span id); null when none does.</summary>
    public string? Name { get; init; }
}

/// <summary>A trace's figures recomputed from raw spans.</summary>
public sealed record ExpectedTrace(
    string TraceId, string? RootName, long StartedMs, long EndedMs, int SpanCount, int LlmCalls, long CostPico, int UnpricedCalls,
    long TotalTokens, int ErrorCount, string? UserId, string? SessionId);

/// <summary>A model's calls, tokens and cost recomputed from raw spans.</summary>
public sealed record ExpectedModel(string? Model, long Calls, Int128 CostPico, long UnpricedCalls, long InputTokens, long OutputTokens,
    long CachedInputTokens, long ReasoningTokens, long Errors, long CacheCreationInputTokens);

/// <summary>A breakdown group recomputed from raw spans; the cost is unknown when every session of the group is unpriced.</summary>
public sealed record ExpectedGroup(string? Group, long Sessions, long CostPico, long Turns, long TotalTokens, long UnpricedSessions)
{
    public bool CostUnknown => UnpricedSessions == Sessions;
}

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
                    || (span.StartMs == userSpan.StartMs && CodePointOrder.Instance.Compare(span.Id, userSpan.Id) < 0))
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
            var (active, gaps) = Activity(calls.Select(c => (c.StartMs, c.EndMs)), 300_000);
            result[group.Key] = new ExpectedSession(group.Key, user, start, end, calls.Count, cost, unpriced, input, output, errors, (double)latency / calls.Count)
            {
                ActiveMs = active,
                IdleGaps = gaps,
                // Only the explicit name (one taken from a prompt is SessionActivityConformance's): the randomized suite writes no prompts.
                Name = calls.Where(c => c.SessionName is not null).OrderBy(c => c.StartMs).ThenBy(c => c.Id, CodePointOrder.Instance).FirstOrDefault()?.SessionName,
            };
        }
        return result;
    }

    /// <summary>
    /// Active time and idle gaps as issue 18 defines them, by merging the calls' [start, end] intervals: a gap between two
    /// merged intervals longer than the threshold is idle; active = wall duration − idle gaps.
    /// </summary>
    public static (long ActiveMs, int IdleGaps) Activity(IEnumerable<(long Start, long End)> calls, long threshold)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var call in calls.OrderBy(c => c.Start))
        {
            if (merged.Count > 0 && call.Start <= merged[^1].End)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, call.End));
            else
                merged.Add(call);
        }
        long idle = 0;
        var gaps = 0;
        for (var i = 1; i < merged.Count; i++)
        {
            if (merged[i].Start - merged[i - 1].End is var gap && gap > threshold)
            {
                idle += gap;
                gaps++;
            }
        }
        return (merged[^1].End - merged[0].Start - idle, gaps);
    }

    public static Dictionary<string, ExpectedTrace> Traces(IEnumerable<SpanRecord> spans)
    {
        var result = new Dictionary<string, ExpectedTrace>(StringComparer.Ordinal);
        foreach (var group in spans.GroupBy(s => s.TraceId))
        {
            // Earliest by start, ties by span id.
            var ordered = group.OrderBy(s => s.StartMs).ThenBy(s => s.Id, CodePointOrder.Instance).ToList();
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
            result[group.Key] = new ExpectedModel(group.Key.Length == 0 ? null : group.Key, calls.Count, calls.Aggregate(Int128.Zero, (sum, s) => sum + (s.CostPico ?? 0)),
                calls.Count(s => s.CostPico is null), calls.Sum(s => s.Usage.InputTokens), calls.Sum(s => s.Usage.OutputTokens),
                calls.Sum(s => s.Usage.CachedInputTokens), calls.Sum(s => s.Usage.ReasoningTokens), calls.Count(s => s.Status == SpanStatus.Error),
                calls.Sum(s => s.Usage.CacheCreationInputTokens));
        }
        return result;
    }

    /// <summary>
    /// Cost over time recomputed from the spans: for each bucket of [from, to) (buckets start at multiples of its length
    /// since the epoch, so the first may start before from), the LLM calls that started in it and in the range.
    /// </summary>
    public static List<CostBucket> Buckets(IReadOnlyCollection<SpanRecord> spans, long fromMs, long toMs, long bucketMs)
    {
        var result = new List<CostBucket>();
        for (var start = fromMs - (fromMs % bucketMs + bucketMs) % bucketMs; start < toMs; start += bucketMs)
        {
            var (bucketFrom, bucketTo) = (Math.Max(fromMs, start), Math.Min(toMs, start + bucketMs));
            var calls = spans.Where(s => s.Kind == SpanKind.Llm && s.StartMs >= bucketFrom && s.StartMs < bucketTo).ToList();
            result.Add(new CostBucket(start, calls.Count, calls.Aggregate(Int128.Zero, (sum, s) => sum + (s.CostPico ?? 0)),
                calls.Sum(s => s.Usage.InputTokens + s.Usage.OutputTokens), calls.Count(s => s.CostPico is null)));
        }
        return result;
    }

    /// <summary>
    /// The breakdown of the sessions started in [from, to) by user, by tag or by the values of one metadata key: a session
    /// counts in every tag and value any of its LLM calls carried (the null group: none), and is unpriced when none of its
    /// calls was priced. Values per key stay under the per-session cap in the tests that use this.
    /// </summary>
    public static Dictionary<string, ExpectedGroup> Breakdown(IEnumerable<SpanRecord> spans, string by, long? fromMs = null, long? toMs = null)
    {
        var calls = spans.Where(s => s.Kind == SpanKind.Llm && s.SessionId is not null).ToList();
        var sessions = Sessions(calls).Values.Where(s => (fromMs is null || s.StartedMs >= fromMs) && (toMs is null || s.StartedMs < toMs));
        return Breakdown(calls, sessions, by);
    }

    /// <summary>The breakdown of the given sessions (any filter applied by the caller); by is userId, tag or a metadata key.</summary>
    public static Dictionary<string, ExpectedGroup> Breakdown(IEnumerable<SpanRecord> spans, IEnumerable<ExpectedSession> sessions, string by)
    {
        var groupsOf = spans.Where(s => s.Kind == SpanKind.Llm && s.SessionId is not null).GroupBy(s => s.SessionId!).ToDictionary(g => g.Key, g => g.ToList());
        var result = new Dictionary<string, ExpectedGroup>(StringComparer.Ordinal);
        foreach (var session in sessions)
        {
            var ofSession = groupsOf[session.SessionId];
            IEnumerable<string?> groups = by switch
            {
                "userId" => new[] { session.UserId },
                "tag" => ofSession.SelectMany(s => s.Tags).Distinct(StringComparer.Ordinal).Select(t => (string?)t),
                _ => ofSession.Where(s => s.MetadataValues.ContainsKey(by)).Select(s => (string?)s.MetadataValues[by]).Distinct(StringComparer.Ordinal),
            };
            var list = groups.ToList();
            if (list.Count == 0)
                list.Add(null);
            foreach (var group in list)
            {
                var key = group is null ? "\0(null)" : "=" + group;
                var before = result.TryGetValue(key, out var b) ? b : new ExpectedGroup(group, 0, 0, 0, 0, 0);
                result[key] = before with
                {
                    Sessions = before.Sessions + 1,
                    CostPico = before.CostPico + session.CostPico,
                    Turns = before.Turns + session.Turns,
                    TotalTokens = before.TotalTokens + session.TotalTokens,
                    UnpricedSessions = before.UnpricedSessions + (session.UnpricedCalls == session.Turns ? 1 : 0),
                };
            }
        }
        return result;
    }

    /// <summary>
    /// The first <paramref name="limit"/> groups in the documented order: known costs first, most expensive first, then the
    /// group in code point order with the null group first.
    /// </summary>
    public static List<SessionGroupCost> Top(Dictionary<string, ExpectedGroup> groups, int limit) => groups.Values
        .OrderBy(g => g.CostUnknown).ThenByDescending(g => g.CostPico).ThenBy(g => g.Group is null ? 0 : 1)
        .ThenBy(g => g.Group ?? "", CodePointOrder.Instance)
        .Take(limit)
        .Select(g => new SessionGroupCost(g.Group, g.Sessions, g.CostPico, g.Turns, g.TotalTokens, g.UnpricedSessions))
        .ToList();

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
