using System.ComponentModel;
using System.Text.Json;

namespace Zespan.Server.Ingestion;

// The ingest body as the OpenAPI document describes it. The server never binds these types: BatchParser and SpanParser
// read the body item by item, so one bad span is refused on its own (rules and limits: docs/api.md, "Ingestion").

[Description("A batch of at most 10,000 spans; each is validated on its own.")]
public sealed record IngestRequest
{
    [Description("The spans to store.")]
    public required IReadOnlyList<IngestSpan> Batch { get; init; }
}

[Description("One span: an LLM call (kind llm) or any other unit of work (kind span). Unknown fields are ignored.")]
public sealed record IngestSpan
{
    [Description("The span's id, unique in the project; sending it again replaces the stored span.")]
    public required string Id { get; init; }
    [Description("The trace the span belongs to.")]
    public required string TraceId { get; init; }
    [Description("The parent span's id; null for a root.")]
    public string? ParentId { get; init; }
    [Description("The conversation: every llm span with the same sessionId forms one session.")]
    public string? SessionId { get; init; }
    [Description("Your end user's id.")]
    public string? UserId { get; init; }
    [Description("What the span did, e.g. chat.completions.create (at most 512 characters).")]
    public required string Name { get; init; }
    [Description("llm (an LLM call: counted in sessions and costs) or span (any other work).")]
    public required string Kind { get; init; }
    [Description("The model called, as the provider names it; it selects the price.")]
    public string? Model { get; init; }
    [Description("The provider, e.g. openai.")]
    public string? Provider { get; init; }
    [Description("ISO 8601 with a zone, inside the organisation's plan window.")]
    public required DateTimeOffset StartTime { get; init; }
    [Description("ISO 8601 with a zone, not before startTime.")]
    public required DateTimeOffset EndTime { get; init; }
    [Description("Token counts of an LLM call.")]
    public IngestUsage? Usage { get; init; }
    [Description("The call's cost in USD (0 to 1,000,000); when given it wins over any price. Null: computed from usage and the model's price.")]
    public decimal? CostUsd { get; init; }
    [Description("ok (default) or error.")]
    public string? Status { get; init; }
    [Description("The error message when status is error (at most 64 KiB).")]
    public string? Error { get; init; }
    [Description("The prompt: any JSON, at most 4 MiB, stored as sent.")]
    public JsonElement? Input { get; init; }
    [Description("The completion: any JSON, at most 4 MiB, stored as sent.")]
    public JsonElement? Output { get; init; }
    [Description("A JSON object (at most 64 KiB); string, number and boolean values group sessions in the breakdown.")]
    public Dictionary<string, JsonElement>? Metadata { get; init; }
    [Description("At most 50 strings of 1 to 128 characters.")]
    public IReadOnlyList<string>? Tags { get; init; }
}

[Description("Token counts: input includes cached input, output includes reasoning (OpenAI's convention).")]
public sealed record IngestUsage
{
    [Description("Prompt tokens, cached ones included.")]
    public long InputTokens { get; init; }
    [Description("Completion tokens, reasoning ones included.")]
    public long OutputTokens { get; init; }
    [Description("Of the input tokens, those read from the provider's cache (at most inputTokens).")]
    public long CachedInputTokens { get; init; }
    [Description("Of the output tokens, those spent reasoning (at most outputTokens).")]
    public long ReasoningTokens { get; init; }
    [Description("Of the input tokens, those written to the provider's cache (Anthropic's cache_creation_input_tokens), priced at the model's "
        + "cache-write price; with cachedInputTokens at most inputTokens.")]
    public long CacheCreationInputTokens { get; init; }
}
