namespace Zespan.Server.Otlp;

/// <summary>
/// The attribute keys each concept is read from, in precedence order (first present wins). docs/otel.md shows the same
/// table; the sources are the OpenTelemetry GenAI conventions, OpenInference, Langfuse and the Vercel AI SDK (up to 6 its
/// telemetry metadata, ai.telemetry.metadata.*; from 7, through @ai-sdk/otel, the runtime context it is told to include,
/// ai.settings.context.*).
/// </summary>
public static class OtlpConventions
{
    public static readonly string[] Session =
    [
        "langfuse.session.id", "session.id", "gen_ai.conversation.id",
        "langfuse.observation.metadata.langfuse_session_id", "langfuse.trace.metadata.langfuse_session_id",
        "ai.telemetry.metadata.sessionId", "ai.settings.context.sessionId", "langfuse_session_id",
    ];

    public static readonly string[] User =
    [
        "langfuse.user.id", "user.id", "enduser.id",
        "langfuse.observation.metadata.langfuse_user_id", "langfuse.trace.metadata.langfuse_user_id",
        "ai.telemetry.metadata.userId", "ai.settings.context.userId", "langfuse_user_id",
    ];

    public static readonly string[] Model =
    [
        "langfuse.observation.model.name", "gen_ai.response.model", "llm.response.model_name", "ai.response.model",
        "gen_ai.request.model", "llm.model_name", "llm.request.model_name", "ai.model.id",
    ];

    public static readonly string[] Provider = ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system", "ai.model.provider"];

    public static readonly string[] InputTokens =
        ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt", "ai.usage.inputTokens", "ai.usage.promptTokens"];

    public static readonly string[] OutputTokens =
        ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion", "ai.usage.outputTokens", "ai.usage.completionTokens"];

    public static readonly string[] CachedTokens =
    [
        "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read",
        "ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens",
    ];

    /// <summary>Input tokens written to the provider's cache (Anthropic bills them above plain input).</summary>
    public static readonly string[] CacheCreationTokens =
    [
        "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.cache_creation_input_tokens",
        "llm.token_count.prompt_details.cache_write",
        "ai.usage.inputTokenDetails.cacheWriteTokens",
    ];

    public static readonly string[] ReasoningTokens =
        ["gen_ai.usage.reasoning.output_tokens", "llm.token_count.completion_details.reasoning", "ai.usage.reasoningTokens"];

    /// <summary>Total cost in US dollars sent by the instrumentation; it wins over the price table.</summary>
    public static readonly string[] Cost = ["gen_ai.usage.cost", "llm.cost.total"];

    /// <summary>gen_ai.operation.name values that are one call to a model (embeddings, tools and agents are not).</summary>
    public static readonly HashSet<string> LlmOperations = new(StringComparer.OrdinalIgnoreCase)
        { "chat", "generate_content", "text_completion", "responses" };

    /// <summary>Prefixes of the metadata kept with a span (for grouping), with the prefix removed.</summary>
    public static readonly string[] MetadataPrefixes =
        ["ai.telemetry.metadata.", "ai.settings.context.", "langfuse.trace.metadata.", "langfuse.observation.metadata.", "metadata."];
}
