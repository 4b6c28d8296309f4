using Zespan.Core.Spans;

namespace Zespan.Core.Traces;

/// <summary>
/// The one definition of a trace's stored figures, folded over all its spans: span count, LLM calls, cost and tokens of
/// the LLM calls (cost unknown when none is priced), errors of any span, first start, last end, and the root (the
/// earliest span without a parent), user and session of the earliest span that carries each. Sums, min/max and
/// <see cref="Earliest{T}"/> picks only, so any order of <see cref="Add(SpanRecord)"/> and any split joined by
/// <see cref="Merge"/> give the same figures: the writer folds each batch and merges it into the stored row by SQL
/// upsert, the rebuild folds every remaining span.
/// </summary>
public sealed class TraceFigures
{
    public long SpanCount { get; private set; }
    public long LlmCalls { get; private set; }
    public Int128 CostPico { get; private set; }
    public long UnpricedCalls { get; private set; }
    public long TotalTokens { get; private set; }
    public long Errors { get; private set; }
    public long StartedMs { get; private set; } = long.MaxValue;
    public long EndedMs { get; private set; } = long.MinValue;
    /// <summary>The root span's name.</summary>
    public Earliest<string> Root;
    public Earliest<string> User;
    public Earliest<string> Session;

    public bool IsEmpty => SpanCount == 0;
    /// <summary>The trace has LLM calls and none of them was priced.</summary>
    public bool CostUnknown => Money.IsUnknown(LlmCalls, UnpricedCalls);

    public void Add(SpanRecord span) =>
        Add(span.Id, span.ParentId, span.Name, span.Kind, span.StartMs, span.EndMs, span.Usage.TotalTokens, span.CostPico, span.Status, span.UserId, span.SessionId);

    /// <summary>Adds one span given by its stored columns (the rebuild reads them without making a SpanRecord).</summary>
    public void Add(string spanId, string? parentId, string name, SpanKind kind, long startMs, long endMs, long totalTokens, long? costPico, SpanStatus status, string? userId, string? sessionId)
    {
        SpanCount++;
        StartedMs = Math.Min(StartedMs, startMs);
        EndedMs = Math.Max(EndedMs, endMs);
        Errors += status == SpanStatus.Error ? 1 : 0;
        if (kind == SpanKind.Llm)
        {
            LlmCalls++;
            TotalTokens += totalTokens;
            if (costPico is { } cost)
                CostPico += cost;
            else
                UnpricedCalls++;
        }
        if (parentId is null)
            Root.Offer(startMs, spanId, name);
        User.Offer(startMs, spanId, userId);
        Session.Offer(startMs, spanId, sessionId);
    }

    public void Merge(TraceFigures other)
    {
        SpanCount += other.SpanCount;
        LlmCalls += other.LlmCalls;
        CostPico += other.CostPico;
        UnpricedCalls += other.UnpricedCalls;
        TotalTokens += other.TotalTokens;
        Errors += other.Errors;
        StartedMs = Math.Min(StartedMs, other.StartedMs);
        EndedMs = Math.Max(EndedMs, other.EndedMs);
        Root.Merge(other.Root);
        User.Merge(other.User);
        Session.Merge(other.Session);
    }

    public static TraceFigures Of(IEnumerable<SpanRecord> spans)
    {
        var figures = new TraceFigures();
        foreach (var span in spans)
            figures.Add(span);
        return figures;
    }
}
