namespace Zespan.Security.Tests.Infrastructure;

/// <summary>Ingest items in the contract's shape.</summary>
public static class Spans
{
    public static object Llm(string id, string traceId, string? sessionId, DateTimeOffset start, string? userId = "user-1",
        int inputTokens = 1000, int outputTokens = 200, string model = "gpt-4o", string prompt = "hello", string status = "ok",
        object? metadata = null, string[]? tags = null, string? parentId = null) => new
        {
            id, traceId, parentId, sessionId, userId,
            name = "chat.completions.create", kind = "llm", model, provider = "openai",
            startTime = start.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), endTime = start.AddMilliseconds(1500).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            usage = new { inputTokens, outputTokens, cachedInputTokens = 0, reasoningTokens = 0 },
            status, error = status == "error" ? "boom" : null,
            input = new[] { new { role = "user", content = prompt } },
            output = new { role = "assistant", content = "answer to " + prompt },
            metadata = metadata ?? new { feature = "chat" },
            tags = tags ?? ["beta"],
        };

    /// <summary>Cost of a gpt-4o call without cached tokens, from the contract's price table ($2.50 / $10.00 per 1M).</summary>
    public static decimal Gpt4oCost(int inputTokens, int outputTokens) => inputTokens * 2.50m / 1_000_000m + outputTokens * 10.00m / 1_000_000m;
}
