namespace Zespan.Core.Spans;

/// <summary>Whether a span is an LLM call (counted in sessions and costs) or any other unit of work.</summary>
public enum SpanKind { Span = 0, Llm = 1 }

/// <summary>Whether a span ended normally or in an error.</summary>
public enum SpanStatus { Ok = 0, Error = 1 }

/// <summary>
/// Token counts of one LLM call, following OpenAI's conventions (input includes cached, output includes reasoning).
/// <paramref name="CacheCreationInputTokens"/>: of the input, the tokens written to the provider's cache (Anthropic's
/// cache_creation_input_tokens), which some providers bill above plain input; 0 where the provider has no such charge.
/// </summary>
public readonly record struct TokenUsage(long InputTokens, long OutputTokens, long CachedInputTokens, long ReasoningTokens, long CacheCreationInputTokens = 0)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>Where a span's cost came from; kept so a user can see why a number is what it is.</summary>
public enum CostSource { None = 0, BuiltInTable = 1, ProjectPrice = 2, Client = 3 }

/// <summary>A validated, priced span as it is stored. Times are Unix milliseconds (UTC).</summary>
public sealed record SpanRecord
{
    public required string Id { get; init; }
    public required string TraceId { get; init; }
    public string? ParentId { get; init; }
    public string? SessionId { get; init; }
    public string? UserId { get; init; }
    /// <summary>The session's name when the span names it (sessionName, metadata session.name, OTLP session.name), shortened.</summary>
    public string? SessionName { get; init; }
    public required string Name { get; init; }
    public SpanKind Kind { get; init; }
    public string? Model { get; init; }
    public string? Provider { get; init; }
    public long StartMs { get; init; }
    public long EndMs { get; init; }
    public TokenUsage Usage { get; init; }
    /// <summary>
    /// False when the call's response carried no usage: its token counts are unknown (null in the API, "unknown" on
    /// pages), and <see cref="Usage"/> holds zeros only so sums over reported calls stay exact.
    /// </summary>
    public bool UsageReported { get; init; } = true;
    /// <summary>Cost in picodollars (1e-12 USD) so sums stay exact; null when the model has no known price.</summary>
    public long? CostPico { get; init; }
    public CostSource CostSource { get; init; }
    public SpanStatus Status { get; init; }
    public string? Error { get; init; }
    /// <summary>Raw JSON of the prompt, completion and metadata, stored as sent.</summary>
    public string? InputJson { get; init; }
    public string? OutputJson { get; init; }
    public string? MetadataJson { get; init; }
    /// <summary>Metadata values flattened to strings, used for grouping ("which kinds of conversations cost the most").</summary>
    public IReadOnlyDictionary<string, string> MetadataValues { get; init; } = EmptyMetadata;
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>
    /// Session and user flow along the trace (OTLP spans): a span without them takes its nearest stored ancestor's, and
    /// passes its own to stored descendants without them, so figures do not depend on the order spans arrive in.
    /// </summary>
    public bool InheritsTraceContext { get; init; }

    public long LatencyMs => EndMs - StartMs;
    /// <summary>An LLM call whose response carried no usage: token counts unknown, never shown or returned as 0.</summary>
    public bool UsageUnknown => Kind == SpanKind.Llm && !UsageReported;

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
}
