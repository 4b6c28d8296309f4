using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ZespanSdk.Tests.Fakes;

/// <summary>
/// Anthropic's Messages API (<c>POST /v1/messages</c>, JSON, not streamed) on the same loopback server, for the official
/// Anthropic .NET library: its Microsoft.Extensions.AI adapter and its own OpenTelemetry spans. Usage is Anthropic's:
/// <c>input_tokens</c> counts only what was neither read from nor written to the prompt cache.
/// </summary>
public sealed partial class FakeOpenAIServer
{
    private int _messageCounter;

    /// <summary>The cache counts the fake answers a prompt with, beside <see cref="FakeUsage.For"/>'s total input.</summary>
    public static (long Read, long Written) AnthropicCache(FakeUsage usage) => (usage.CachedTokens, (usage.PromptTokens - usage.CachedTokens) / 2);

    private async Task AnthropicMessagesAsync(HttpContext context)
    {
        if (string.IsNullOrEmpty(context.Request.Headers["x-api-key"]) && string.IsNullOrEmpty(context.Request.Headers.Authorization))
        {
            context.Response.StatusCode = 401;
            return;
        }
        JsonObject body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        Requests.Enqueue(body);
        string prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => ContentText(m!["content"])));
        string reply = "Echo: " + LastUserText(body);
        FakeUsage usage = FakeUsage.For(prompt, reply);
        var (read, written) = AnthropicCache(usage);
        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["id"] = $"msg_fake{Interlocked.Increment(ref _messageCounter)}",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = body["model"]!.GetValue<string>(),
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = reply }),
            ["stop_reason"] = "end_turn",
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = usage.PromptTokens - read - written,
                ["cache_creation_input_tokens"] = written,
                ["cache_read_input_tokens"] = read,
                ["cache_creation"] = new JsonObject { ["ephemeral_5m_input_tokens"] = written, ["ephemeral_1h_input_tokens"] = 0 },
                ["output_tokens"] = usage.CompletionTokens,
                ["service_tier"] = "standard",
            },
        });
    }
}
