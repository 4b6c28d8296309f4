using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ZespanSdk.Spans;

/// <summary>One item of the ingest batch, shaped exactly as the contract's <c>POST /api/v1/ingest</c> expects.</summary>
internal sealed class SpanRecord
{
    public required string Id { get; init; }
    public required string TraceId { get; init; }
    public string? ParentId { get; init; }
    public string? SessionId { get; init; }
    public string? SessionName { get; init; }
    public string? UserId { get; init; }
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public string? Model { get; set; }
    public string? Provider { get; init; }

    [JsonConverter(typeof(UtcMillisecondsConverter))]
    public required DateTimeOffset StartTime { get; init; }

    [JsonConverter(typeof(UtcMillisecondsConverter))]
    public required DateTimeOffset EndTime { get; set; }

    public TokenUsage? Usage { get; set; }
    public required string Status { get; set; }
    public string? Error { get; set; }
    public JsonNode? Input { get; set; }
    public JsonNode? Output { get; set; }
    public Dictionary<string, object?>? Metadata { get; set; }
    public string[]? Tags { get; init; }
}

/// <summary>
/// Token counts in OpenAI's conventions: input includes cached input, output includes reasoning. Cache writes
/// (Anthropic's cache_creation_input_tokens, part of input) are sent only when there are some, so a batch without them
/// is what servers before them accept byte for byte.
/// </summary>
internal sealed record TokenUsage(
    long InputTokens, long OutputTokens, long CachedInputTokens, long ReasoningTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long CacheCreationInputTokens = 0);

internal static class SpanKinds
{
    public const string Llm = "llm";
    public const string Span = "span";
}

internal static class SpanStatuses
{
    public const string Ok = "ok";
    public const string Error = "error";
}
