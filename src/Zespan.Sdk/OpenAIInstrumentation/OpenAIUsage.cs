using System.Text.Json;
using ZespanSdk.Spans;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>Maps OpenAI's usage objects (Chat Completions and Responses spellings) to the contract's token fields.</summary>
internal static class OpenAIUsage
{
    public static TokenUsage? From(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        long? input = Number(usage, "prompt_tokens") ?? Number(usage, "input_tokens");
        long? output = Number(usage, "completion_tokens") ?? Number(usage, "output_tokens");
        if (input is null && output is null)
        {
            return null;   // no counts is unknown usage (unpriced), never zero tokens ($0)
        }
        long cached = Nested(usage, "prompt_tokens_details", "cached_tokens")
            ?? Nested(usage, "input_tokens_details", "cached_tokens") ?? 0;
        long reasoning = Nested(usage, "completion_tokens_details", "reasoning_tokens")
            ?? Nested(usage, "output_tokens_details", "reasoning_tokens") ?? 0;
        return new TokenUsage(input ?? 0, output ?? 0, cached, reasoning);
    }

    private static long? Nested(JsonElement usage, string detailsName, string countName) =>
        usage.TryGetProperty(detailsName, out JsonElement details) && details.ValueKind == JsonValueKind.Object
            ? Number(details, countName)
            : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n)
            ? n
            : null;
}
