using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZespanSdk.Tests.Fakes;

/// <summary>
/// An OpenAI-compatible HTTP server on loopback speaking the real wire format: chat completions (JSON and SSE
/// with <c>stream_options.include_usage</c>), Responses (JSON and SSE), embeddings, and OpenAI-shaped error bodies.
/// Behaviour is steered from the prompt text so tests read naturally:
/// <c>[error:429]</c> answers that status, <c>[flaky]</c> fails with 500 once then succeeds,
/// <c>[slow:300]</c> waits before answering, <c>[chunkdelay:50]</c> waits between streamed chunks,
/// <c>[stallmidevent]</c> streams one content chunk and half of the next, then stalls,
/// <c>[nousage]</c> answers like a proxy that strips usage (no <c>usage</c> in bodies, no usage chunk in streams).
/// Token counts are derived from the prompt, so every test sees different, checkable numbers.
/// </summary>
public sealed partial class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _flakyAttempts = new();
    private int _completionCounter;

    private FakeOpenAIServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The OpenAI client's endpoint (paths are appended to it).</summary>
    public Uri Endpoint => new(BaseUrl, "v1/");

    /// <summary>Every request body received, in order, for tests that check what the library really sent.</summary>
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    public static async Task<FakeOpenAIServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new FakeOpenAIServer(app);

        app.MapPost("/v1/chat/completions", server.ChatCompletionsAsync);
        app.MapPost("/v1/responses", server.ResponsesAsync);
        app.MapPost("/v1/embeddings", server.EmbeddingsAsync);
        app.MapPost("/v1/messages", server.AnthropicMessagesAsync);

        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The dated snapshot a real server would name for a requested alias.</summary>
    public static string SnapshotOf(string model) => model switch
    {
        "gpt-4o" => "gpt-4o-2024-08-06",
        "gpt-4o-mini" => "gpt-4o-mini-2024-07-18",
        _ => model,
    };

    private async Task ChatCompletionsAsync(HttpContext context)
    {
        JsonObject? body = await ReadBodyAsync(context);
        if (body is null)
        {
            return;
        }
        string prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => ContentText(m!["content"])));
        if (await ApplyDirectivesAsync(context, prompt))
        {
            return;
        }

        string model = SnapshotOf(body["model"]!.GetValue<string>());
        string reply = "Echo: " + LastUserText(body);
        FakeUsage usage = FakeUsage.For(prompt, reply);
        string id = $"chatcmpl-fake{Interlocked.Increment(ref _completionCounter)}";
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        if (body["stream"]?.GetValue<bool>() != true)
        {
            await WriteJsonAsync(context, 200, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply, ["refusal"] = null },
                    ["logprobs"] = null,
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = prompt.Contains("[nousage]") ? null : usage.ToChatJson(),
                ["system_fingerprint"] = "fp_fake",
            });
            return;
        }

        bool includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true && !prompt.Contains("[nousage]");
        int chunkDelay = Directive(prompt, "chunkdelay") ?? 0;
        await StartSseAsync(context);

        JsonObject Chunk(JsonObject delta, string? finishReason) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["system_fingerprint"] = "fp_fake",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = delta,
                ["logprobs"] = null,
                ["finish_reason"] = finishReason,
            }),
        };

        await WriteEventAsync(context, null, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        if (prompt.Contains("[stallmidevent]", StringComparison.Ordinal))
        {
            await StallMidEventAsync(context, Chunk(new JsonObject { ["content"] = "Echo:" }, null), Chunk(new JsonObject { ["content"] = " more" }, null));
            return;
        }
        foreach (string piece in SplitIntoPieces(reply))
        {
            if (chunkDelay > 0)
            {
                await Task.Delay(chunkDelay, context.RequestAborted);
            }
            await WriteEventAsync(context, null, Chunk(new JsonObject { ["content"] = piece }, null));
        }
        await WriteEventAsync(context, null, Chunk(new JsonObject(), "stop"));
        if (includeUsage)
        {
            await WriteEventAsync(context, null, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = usage.ToChatJson(),
            });
        }
        await context.Response.WriteAsync("data: [DONE]\n\n");
        await context.Response.Body.FlushAsync();
    }

    private async Task ResponsesAsync(HttpContext context)
    {
        JsonObject? body = await ReadBodyAsync(context);
        if (body is null)
        {
            return;
        }
        JsonNode input = body["input"]!;
        string prompt = input is JsonValue ? input.GetValue<string>() : string.Join("\n", input.AsArray().Select(m => ContentText(m!["content"])));
        if (await ApplyDirectivesAsync(context, prompt))
        {
            return;
        }

        string model = SnapshotOf(body["model"]!.GetValue<string>());
        string reply = "Echo: " + prompt;
        FakeUsage usage = FakeUsage.For(prompt, reply);
        string id = $"resp_fake{Interlocked.Increment(ref _completionCounter)}";
        JsonObject Response(string status, bool withOutput) => new()
        {
            ["id"] = id,
            ["object"] = "response",
            ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["status"] = status,
            ["model"] = model,
            ["output"] = withOutput
                ? new JsonArray(new JsonObject
                {
                    ["type"] = "message",
                    ["id"] = "msg_" + id,
                    ["status"] = "completed",
                    ["role"] = "assistant",
                    ["content"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "output_text",
                        ["text"] = reply,
                        ["annotations"] = new JsonArray(),
                    }),
                })
                : new JsonArray(),
            ["usage"] = withOutput && !prompt.Contains("[nousage]") ? usage.ToResponsesJson() : null,
        };

        if (body["stream"]?.GetValue<bool>() != true)
        {
            await WriteJsonAsync(context, 200, Response("completed", withOutput: true));
            return;
        }

        await StartSseAsync(context);
        int sequence = 0;
        await WriteEventAsync(context, "response.created", new JsonObject
        {
            ["type"] = "response.created", ["sequence_number"] = sequence++, ["response"] = Response("in_progress", false),
        });
        foreach (string piece in SplitIntoPieces(reply))
        {
            await WriteEventAsync(context, "response.output_text.delta", new JsonObject
            {
                ["type"] = "response.output_text.delta",
                ["sequence_number"] = sequence++,
                ["item_id"] = "msg_" + id,
                ["output_index"] = 0,
                ["content_index"] = 0,
                ["delta"] = piece,
            });
        }
        await WriteEventAsync(context, "response.completed", new JsonObject
        {
            ["type"] = "response.completed", ["sequence_number"] = sequence, ["response"] = Response("completed", true),
        });
    }

    private async Task EmbeddingsAsync(HttpContext context)
    {
        JsonObject? body = await ReadBodyAsync(context);
        if (body is null)
        {
            return;
        }
        JsonNode input = body["input"]!;
        string[] texts = input is JsonValue ? [input.GetValue<string>()] : input.AsArray().Select(t => t!.GetValue<string>()).ToArray();
        if (await ApplyDirectivesAsync(context, string.Join("\n", texts)))
        {
            return;
        }
        long promptTokens = texts.Sum(t => FakeUsage.CountTokens(t));
        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["object"] = "list",
            ["model"] = body["model"]!.GetValue<string>(),
            ["data"] = new JsonArray(texts.Select((t, i) => (JsonNode)new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = new JsonArray(Enumerable.Range(0, 8).Select(d => (JsonNode)((t.Length + d) % 7 / 7.0)).ToArray()),
            }).ToArray()),
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["total_tokens"] = promptTokens },
        });
    }

    /// <summary>Handles the error and slowness markers; true when the response has been written.</summary>
    private async Task<bool> ApplyDirectivesAsync(HttpContext context, string prompt)
    {
        if (Directive(prompt, "slow") is { } delay)
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        if (Directive(prompt, "error") is { } status)
        {
            await WriteErrorAsync(context, status);
            return true;
        }
        if (prompt.Contains("[flaky]", StringComparison.Ordinal) && _flakyAttempts.AddOrUpdate(prompt, 1, (_, n) => n + 1) == 1)
        {
            await WriteErrorAsync(context, 500);
            return true;
        }
        return false;
    }

    private static async Task WriteErrorAsync(HttpContext context, int status)
    {
        (string type, string code, string message) = status switch
        {
            400 => ("invalid_request_error", "invalid_value", "Invalid value for 'messages': the fake server was asked to refuse this request."),
            401 => ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
            429 => ("rate_limit_error", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
            _ => ("server_error", "server_error", "The server had an error while processing your request."),
        };
        if (status == 429)
        {
            context.Response.Headers.RetryAfter = "0";
        }
        await WriteJsonAsync(context, status, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
        });
    }

    private async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 401);
            return null;
        }
        JsonObject body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        Requests.Enqueue(body);
        return body.DeepClone().AsObject();
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static async Task StartSseAsync(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync();
    }

    private static async Task WriteEventAsync(HttpContext context, string? eventName, JsonObject data)
    {
        string text = (eventName is null ? "" : $"event: {eventName}\n") + $"data: {data.ToJsonString()}\n\n";
        await context.Response.WriteAsync(text, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// Sends one whole event and the first half of the next in a single write, then goes quiet until the client
    /// leaves: what a client sees when it stops reading while an event is only partly received.
    /// </summary>
    private static async Task StallMidEventAsync(HttpContext context, JsonObject whole, JsonObject cutInHalf)
    {
        string next = $"data: {cutInHalf.ToJsonString()}\n\n";
        await context.Response.WriteAsync($"data: {whole.ToJsonString()}\n\n" + next[..(next.Length / 2)], context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away, as expected.
        }
    }

    /// <summary>Word-sized pieces, each keeping its following space, so the pieces glue back to the exact text.</summary>
    public static IEnumerable<string> SplitIntoPieces(string text) =>
        Regex.Matches(text, @"\S+\s*").Select(m => m.Value);

    private static string LastUserText(JsonObject body) =>
        body["messages"]!.AsArray().Where(m => m!["role"]!.GetValue<string>() == "user").Select(m => ContentText(m!["content"])).LastOrDefault() ?? "";

    private static string ContentText(JsonNode? content) => content switch
    {
        null => "",
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => content.ToJsonString(),
    };

    private static int? Directive(string prompt, string name)
    {
        Match match = Regex.Match(prompt, $@"\[{name}:(\d+)\]");
        return match.Success ? int.Parse(match.Groups[1].Value) : null;
    }
}
