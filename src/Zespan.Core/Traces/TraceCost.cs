using Zespan.Core.Spans;

namespace Zespan.Core.Traces;

/// <summary>A trace's cost from its spans, by the rule of the traces list: the sum over its LLM calls, unknown when none is priced.</summary>
public static class TraceCost
{
    public static (Int128 CostPico, bool Unknown) Of(IReadOnlyList<SpanRecord> spans)
    {
        Int128 total = 0;
        int calls = 0, unpriced = 0;
        foreach (var span in spans)
        {
            if (span.Kind != SpanKind.Llm)
                continue;
            calls++;
            if (span.CostPico is { } cost)
                total += cost;
            else
                unpriced++;
        }
        return (total, calls > 0 && unpriced == calls);
    }
}
