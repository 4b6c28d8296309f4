using Zespan.Core.Pricing;
using Zespan.Core.Spans;

namespace Zespan.Core.Ingestion;

/// <summary>Applies the contract's cost rules to parsed spans: only LLM calls have a cost.</summary>
public sealed class SpanPricer(PriceResolver resolver)
{
    public SpanRecord Price(ParsedSpan parsed, ModelPriceTable? projectPrices)
    {
        var span = parsed.Span;
        if (span.Kind != SpanKind.Llm)
            return parsed.ClientCostUsd is { } cost ? span with { CostPico = Money.UsdToPico(cost), CostSource = CostSource.Client } : span;
        var (costPico, source) = resolver.Price(span.Model, span.Usage, parsed.ClientCostUsd, projectPrices);
        return span with { CostPico = costPico, CostSource = source };
    }
}
