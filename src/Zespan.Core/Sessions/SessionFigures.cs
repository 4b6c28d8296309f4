using Zespan.Core.Spans;

namespace Zespan.Core.Sessions;

/// <summary>
/// The one definition of a session's stored figures, folded over its LLM calls: turns, first start, last end, cost
/// (unknown when no call is priced), unpriced calls, tokens, errors, summed latency, the user of the earliest call that
/// names one and the earliest explicit name. Every figure is a sum, a min/max or an <see cref="Earliest{T}"/> pick, so
/// the fold is the same for any order of <see cref="Add(SpanRecord)"/> calls and any split into parts joined by
/// <see cref="Merge"/>: the writer folds each batch and merges it into the stored row (SQL upserts that must equal
/// Merge), the rebuild folds every remaining call. The span order, where one is needed, is (start, span id in code point
/// order). Active time and the derived name need calls in that order and live in <see cref="SessionActivity"/> and
/// <see cref="SessionNames"/>.
/// </summary>
public sealed class SessionFigures
{
    public long Turns { get; private set; }
    public long StartedMs { get; private set; } = long.MaxValue;
    public long EndedMs { get; private set; } = long.MinValue;
    /// <summary>Exact: one session can pass 2^63 picodollars; a 64-bit store saturates it (docs/api.md).</summary>
    public Int128 CostPico { get; private set; }
    public long UnpricedCalls { get; private set; }
    public long InputTokens { get; private set; }
    public long OutputTokens { get; private set; }
    public long Errors { get; private set; }
    public long LatencySumMs { get; private set; }
    public Earliest<string> User;
    public Earliest<string> ExplicitName;

    public bool IsEmpty => Turns == 0;
    public long TotalTokens => InputTokens + OutputTokens;
    public long DurationMs => EndedMs - StartedMs;
    /// <summary>No call of the session was priced: its cost is unknown, never $0.</summary>
    public bool CostUnknown => Money.IsUnknown(Turns, UnpricedCalls);

    /// <summary>Adds one span; only LLM calls count in a session.</summary>
    public void Add(SpanRecord span)
    {
        if (span.Kind == SpanKind.Llm)
            Add(span.Id, span.StartMs, span.EndMs, span.CostPico, span.Usage.InputTokens, span.Usage.OutputTokens, span.Status, span.UserId, span.SessionName);
    }

    /// <summary>Adds one LLM call given by its stored columns (the rebuild reads them without making a SpanRecord).</summary>
    public void Add(string spanId, long startMs, long endMs, long? costPico, long inputTokens, long outputTokens, SpanStatus status, string? userId, string? sessionName)
    {
        Turns++;
        StartedMs = Math.Min(StartedMs, startMs);
        EndedMs = Math.Max(EndedMs, endMs);
        if (costPico is { } cost)
            CostPico += cost;
        else
            UnpricedCalls++;
        InputTokens += inputTokens;
        OutputTokens += outputTokens;
        Errors += status == SpanStatus.Error ? 1 : 0;
        LatencySumMs += endMs - startMs;
        User.Offer(startMs, spanId, userId);
        ExplicitName.Offer(startMs, spanId, sessionName);
    }

    public void Merge(SessionFigures other)
    {
        Turns += other.Turns;
        StartedMs = Math.Min(StartedMs, other.StartedMs);
        EndedMs = Math.Max(EndedMs, other.EndedMs);
        CostPico += other.CostPico;
        UnpricedCalls += other.UnpricedCalls;
        InputTokens += other.InputTokens;
        OutputTokens += other.OutputTokens;
        Errors += other.Errors;
        LatencySumMs += other.LatencySumMs;
        User.Merge(other.User);
        ExplicitName.Merge(other.ExplicitName);
    }

    /// <summary>The figures of a session's spans (non-LLM spans are skipped).</summary>
    public static SessionFigures Of(IEnumerable<SpanRecord> spans)
    {
        var figures = new SessionFigures();
        foreach (var span in spans)
            figures.Add(span);
        return figures;
    }
}
