using Zespan.Core.Pricing;
using Zespan.Core.Spans;

namespace Zespan.Core.Ingestion;

/// <summary>A priced span ready to store, or why its cost cannot be one (then the item is refused by index, like a parse error).</summary>
public sealed record PricedSpan(SpanRecord? Span, ItemError? Error);

/// <summary>
/// Applies the contract's cost rules to parsed spans: only LLM calls have a cost. A successful call that reported
/// no usage (a stream without <c>include_usage</c>, a proxy that strips it) has an unknown cost: null, counted as
/// unpriced, never $0. A failed call without usage stays at 0: the API does not bill a refused request.
/// </summary>
public sealed class SpanPricer(PriceResolver resolver)
{
    public PricedSpan Price(ParsedSpan parsed, ModelPriceTable? projectPrices)
    {
        var span = parsed.Span;
        if (span.Kind != SpanKind.Llm)
            return new(parsed.ClientCostUsd is { } cost ? span with { CostPico = Money.UsdToPico(cost), CostSource = CostSource.Client } : span, null);
        if (!parsed.UsageReported && parsed.ClientCostUsd is null && span.Status == SpanStatus.Ok)
            return new(span with { CostPico = null, CostSource = CostSource.None }, null);
        var (costUsd, source) = resolver.PriceUsd(span.Model, span.Usage, parsed.ClientCostUsd, projectPrices);
        // A computed cost obeys the bound a client-sent cost does: no real call costs more, and the bound keeps every
        // per-span figure far inside the store's integer picodollars (1e12 output tokens of gpt-4o would be $10M).
        if (costUsd > (decimal)IngestLimits.MaxCostUsd)
        {
            return new(null, new ItemError(parsed.Index, span.Id,
                $"\"usage\" ({span.Usage.InputTokens} input, {span.Usage.OutputTokens} output tokens) at the price of \"{span.Model}\" costs ${costUsd:0.##}, " +
                $"more than the per-span limit of ${IngestLimits.MaxCostUsd:0}; check the token counts, or send \"costUsd\"."));
        }
        return new(span with { CostPico = costUsd is { } usd ? Money.UsdToPico(usd) : null, CostSource = source }, null);
    }
}
