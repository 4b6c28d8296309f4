using Zespan.Core.Spans;

namespace Zespan.Core.Traces;

/// <summary>A trace's cost from its spans, by the rule of the traces list (<see cref="TraceFigures"/>): the sum over its LLM calls, unknown when none is priced.</summary>
public static class TraceCost
{
    public static (Int128 CostPico, bool Unknown) Of(IReadOnlyList<SpanRecord> spans)
    {
        var figures = TraceFigures.Of(spans);
        return (figures.CostPico, figures.CostUnknown);
    }
}
