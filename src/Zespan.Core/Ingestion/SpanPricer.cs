using Zespan.Core.Pricing;
using Zespan.Core.Spans;

namespace Zespan.Core.Ingestion;

/// <summary>
/// Applies the contract's cost rules to parsed spans: only LLM calls have a cost. A successful call that reported
/// no usage (a stream without <c>include_usage</c>, a proxy that strips it) has an unknown cost: null, counted as
/// unpriced, never $0. A failed call without usage stays at 0: the API does not bill a refused request.
/// </summary>
public sealed class SpanPricer(PriceResolver resolver)
{
    public SpanRecord Price(ParsedSpan parsed, ModelPriceTable? projectPrices)
    {
        var span = parsed.Span;
        if (span.Kind != SpanKind.Llm)
            return parsed.ClientCostUsd is { } cost ? span with { CostPico = Money.UsdToPico(cost), CostSource = CostSource.Client } : span;
        if (!parsed.UsageReported && parsed.ClientCostUsd is null && span.Status == SpanStatus.Ok)
            return span with { CostPico = null, CostSource = CostSource.None };
        var (costPico, source) = resolver.Price(span.Model, span.Usage, parsed.ClientCostUsd, projectPrices);
        return span with { CostPico = costPico, CostSource = source };
    }
}
