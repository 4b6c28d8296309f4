using Microsoft.Extensions.AI;
using ZespanSdk.Spans;

namespace ZespanSdk;

/// <summary>
/// A Microsoft.Extensions.AI response's usage in the contract's counts. UsageDetails has no property for tokens written to
/// the prompt cache: Anthropic's adapter puts them (and, in older versions, the cache reads too) into AdditionalCounts,
/// under the names of its own usage type.
/// </summary>
internal static class ChatUsage
{
    private static readonly string[] CacheWriteKeys = ["CacheCreationInputTokens", "cache_creation_input_tokens"];
    private static readonly string[] CacheReadKeys = ["CacheReadInputTokens", "cache_read_input_tokens"];

    public static TokenUsage From(UsageDetails usage)
    {
        long input = usage.InputTokenCount ?? 0;
        long cached = usage.CachedInputTokenCount ?? Additional(usage, CacheReadKeys);
        long written = Additional(usage, CacheWriteKeys);
        // An adapter that passes Anthropic's input_tokens on as they are counts input net of the cache: the cache's parts
        // exceed it, so they are added back (input includes them in the contract, and the server refuses less).
        if (cached + written > input)
        {
            input += cached + written;
        }
        return new TokenUsage(input, usage.OutputTokenCount ?? 0, cached, usage.ReasoningTokenCount ?? 0, written);
    }

    private static long Additional(UsageDetails usage, string[] keys)
    {
        foreach (string key in keys)
        {
            if (usage.AdditionalCounts?.TryGetValue(key, out long count) == true)
            {
                return count;
            }
        }
        return 0;
    }
}
