namespace Zespan.Core.Spans;

/// <summary>
/// A value taken from the earliest span that carries one — the smallest (start, span id) of <see cref="EarliestSpan"/>.
/// A session's user and explicit name, a trace's root, user and session are each one of these. Offering spans in any
/// order, or merging two partial folds, gives the same pick.
/// </summary>
public struct Earliest<T>
    where T : class
{
    public T? Value { get; private set; }
    public long StartMs { get; private set; }
    public string? SpanId { get; private set; }

    public readonly bool HasValue => SpanId is not null;

    /// <summary>Takes the value when it is the first offered or its span is earlier than the current one's.</summary>
    public void Offer(long startMs, string spanId, T? value)
    {
        if (value is null || (HasValue && !EarliestSpan.IsEarlier(startMs, spanId, StartMs, SpanId!)))
            return;
        (Value, StartMs, SpanId) = (value, startMs, spanId);
    }

    public void Merge(Earliest<T> other)
    {
        if (other.HasValue)
            Offer(other.StartMs, other.SpanId!, other.Value);
    }
}
