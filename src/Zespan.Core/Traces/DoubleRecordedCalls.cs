using Zespan.Core.Spans;

namespace Zespan.Core.Traces;

/// <summary>
/// LLM calls recorded twice: an LLM span directly inside another LLM span of its trace, with the same model (or one of
/// them naming none, or one a dated snapshot of the other) and the same reported token counts. Two instrumentations of
/// one call make that pair — a provider library's own spans and an instrumentation of it, a framework's chat-model span
/// and its provider's — and every figure then counts the call twice. Found to tell the user (the OTLP response, the
/// trace page), never to drop either span: which one to keep is a choice of instrumentation, and a rule that dropped
/// one would give figures that depend on whether the two arrived in one request.
/// </summary>
public static class DoubleRecordedCalls
{
    /// <summary>An outer LLM span and the LLM span inside it that records the same call.</summary>
    public readonly record struct Pair(SpanRecord Outer, SpanRecord Inner);

    /// <summary>Every such pair among <paramref name="spans"/> (any traces; a parent outside them is not looked up).</summary>
    public static IReadOnlyList<Pair> In(IEnumerable<SpanRecord> spans)
    {
        var calls = new Dictionary<(string TraceId, string Id), SpanRecord>();
        foreach (var span in spans)
        {
            if (span.Kind == SpanKind.Llm)
                calls[(span.TraceId, span.Id)] = span;
        }
        var pairs = new List<Pair>();
        foreach (var inner in calls.Values)
        {
            if (inner.ParentId is { } parentId && calls.TryGetValue((inner.TraceId, parentId), out var outer) && SameCall(outer, inner))
                pairs.Add(new Pair(outer, inner));
        }
        return pairs;
    }

    private static bool SameCall(SpanRecord a, SpanRecord b) =>
        a.UsageReported && b.UsageReported && a.Usage.TotalTokens > 0 && a.Usage == b.Usage && SameModel(a.Model, b.Model);

    /// <summary>One model, one unnamed, or one the other's dated snapshot (claude-sonnet-4-5 and claude-sonnet-4-5-20250929).</summary>
    private static bool SameModel(string? a, string? b) =>
        a is null || b is null
        || a.StartsWith(b, StringComparison.OrdinalIgnoreCase) || b.StartsWith(a, StringComparison.OrdinalIgnoreCase);

    /// <summary>What the user is told of one pair: the two span ids and the fix.</summary>
    public static string Describe(Pair pair) =>
        $"span {pair.Inner.Id} (\"{pair.Inner.Name}\") inside span {pair.Outer.Id} (\"{pair.Outer.Name}\") records the same call "
        + "(same model and tokens): both are counted, so its cost and tokens count twice; keep one instrumentation of this call (docs/otel.md)";
}
