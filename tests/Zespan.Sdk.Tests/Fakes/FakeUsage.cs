using System.Text.Json.Nodes;

namespace ZespanSdk.Tests.Fakes;

/// <summary>Deterministic token counts for the fake server: derived from the text, with cached and reasoning parts.</summary>
public sealed record FakeUsage(long PromptTokens, long CompletionTokens, long CachedTokens, long ReasoningTokens)
{
    public static long CountTokens(string text) => Math.Max(1, (text.Length + 3) / 4);

    public static FakeUsage For(string prompt, string reply)
    {
        long prompt_ = 7 + CountTokens(prompt) * 3;
        long completion = CountTokens(reply) + 2;
        return new FakeUsage(prompt_, completion, CachedTokens: prompt_ / 3, ReasoningTokens: completion / 2);
    }

    public JsonObject ToChatJson() => new()
    {
        ["prompt_tokens"] = PromptTokens,
        ["completion_tokens"] = CompletionTokens,
        ["total_tokens"] = PromptTokens + CompletionTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedTokens, ["audio_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject
        {
            ["reasoning_tokens"] = ReasoningTokens, ["audio_tokens"] = 0,
            ["accepted_prediction_tokens"] = 0, ["rejected_prediction_tokens"] = 0,
        },
    };

    public JsonObject ToResponsesJson() => new()
    {
        ["input_tokens"] = PromptTokens,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedTokens },
        ["output_tokens"] = CompletionTokens,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = ReasoningTokens },
        ["total_tokens"] = PromptTokens + CompletionTokens,
    };
}
