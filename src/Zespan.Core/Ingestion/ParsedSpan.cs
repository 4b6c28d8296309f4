using Zespan.Core.Spans;

namespace Zespan.Core.Ingestion;

/// <summary>A span that passed validation but is not priced yet; the client's own cost, if sent, wins later.</summary>
/// <param name="UsageReported">False when the span carried no <c>usage</c> (or <c>null</c>): its token counts are unknown, not zero.</param>
public sealed record ParsedSpan(SpanRecord Span, double? ClientCostUsd, bool UsageReported = true)
{
    /// <summary>The item's position in its batch, so a refusal after parsing (pricing) can still name it.</summary>
    public int Index { get; init; }
}

/// <summary>Why one item of a batch was refused, addressed to the person who sent it.</summary>
public sealed record ItemError(int Index, string? Id, string Message);
