using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using ZespanSdk.Tests.Fakes;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests;

/// <summary>
/// Span payloads against every shared golden fixture (sdk/spec/fixtures, rules in its README): the fixture's response
/// is served to the real OpenAI library through Zespan.Wrap, and the one span received is compared field by field.
/// Each test has its own fake OpenAI and ingest servers, so the span received is this call's whatever its session.
/// </summary>
public sealed class PayloadFixtureTests : IAsyncLifetime
{
    private static readonly string Fixtures = Path.Combine(ZespanServerProcess.RepositoryRoot(), "sdk", "spec", "fixtures");
    private WebApplication? _openai;
    private FakeIngestServer? _ingest;
    private JsonObject _response = new();

    private static string[] PayloadFixtureNames() =>
        [.. Directory.GetFiles(Fixtures, "*.json").Select(Path.GetFileName).OfType<string>().Where(name => name != "sampling.json").Order(StringComparer.Ordinal)];

    public static TheoryData<string> PayloadFixtureFiles() => new(PayloadFixtureNames());

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _openai = builder.Build();
        _openai.MapPost("/v1/{**path}", ServeFixtureResponseAsync);
        await _openai.StartAsync();
        _ingest = await FakeIngestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_openai is not null)
        {
            await _openai.DisposeAsync();
        }
        if (_ingest is not null)
        {
            await _ingest.DisposeAsync();
        }
    }

    private async Task ServeFixtureResponseAsync(HttpContext context)
    {
        context.Response.StatusCode = _response["status"]!.GetValue<int>();
        if (_response["sse"] is JsonArray events)
        {
            context.Response.ContentType = "text/event-stream";
            foreach (JsonNode? item in events)
            {
                string data = item is JsonValue value && value.TryGetValue(out string? text) ? text : item!.ToJsonString();
                await context.Response.WriteAsync($"data: {data}\n\n");
            }
            await context.Response.Body.FlushAsync();
            if (_response["holdOpen"]?.GetValue<bool>() == true)
            {
                // Only the caller leaving ends this stream (or the test's end, after a minute at most).
                try
                {
                    await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
            }
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(_response["json"]!.ToJsonString());
    }

    private OpenAIClientOptions ClientOptions() => new()
    {
        Endpoint = new Uri(_openai!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/v1/"),
        RetryPolicy = new ClientRetryPolicy(0),
    };

    [Fact]
    public void EveryPayloadFixture_IsRunByThisSuite() =>
        Assert.Equal(
            ["chat.json", "embeddings.json", "error.json", "stream-ended-early.json", "stream-without-usage.json"],
            PayloadFixtureNames());

    [Theory]
    [MemberData(nameof(PayloadFixtureFiles))]
    public async Task SpanMatchesTheFixture(string file)
    {
        JsonObject fixture = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Fixtures, file)))!.AsObject();
        _response = fixture["response"]!.AsObject();
        JsonObject context = fixture["context"]!.AsObject();
        JsonObject call = fixture["call"]!.AsObject();
        bool refused = _response["status"]!.GetValue<int>() >= 400;

        await using (var tracer = new ZespanTracer(_ingest!.Options()))
        {
            using (Zespan.Context(
                userId: context["userId"]?.GetValue<string>(),
                sessionId: context["sessionId"]?.GetValue<string>(),
                tags: context["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray(),
                metadata: context["metadata"]!.AsObject().ToDictionary(p => p.Key, p => (object?)p.Value!.GetValue<string>())))
            {
                Task making = MakeCallAsync(call, tracer);
                if (refused)
                {
                    await Assert.ThrowsAsync<ClientResultException>(() => making);
                }
                else
                {
                    await making;
                }
            }
            await tracer.FlushAsync();
        }

        JsonObject span = Assert.Single(_ingest.Spans.Values);
        AssertSpan(fixture, span);
    }

    private async Task MakeCallAsync(JsonObject call, ZespanTracer tracer)
    {
        JsonObject parameters = call["params"]!.AsObject();
        string model = parameters["model"]!.GetValue<string>();
        switch (call["api"]!.GetValue<string>())
        {
            case "chat.completions.create":
                ChatClient chat = Zespan.Wrap(new ChatClient(model, new ApiKeyCredential("sk-fixture"), ClientOptions()), tracer);
                ChatMessage[] messages = parameters["messages"]!.AsArray().Select(ToChatMessage).ToArray();
                var options = new ChatCompletionOptions();
                if (parameters["temperature"] is { } temperature)
                {
                    options.Temperature = temperature.GetValue<float>();
                }
                if (parameters["stream"]?.GetValue<bool>() == true)
                {
                    int leaveAfter = call["leaveAfterEvents"]?.GetValue<int>() ?? int.MaxValue;
                    int events = 0;
                    await foreach (StreamingChatCompletionUpdate _ in chat.CompleteChatStreamingAsync(messages, options))
                    {
                        if (++events == leaveAfter)
                        {
                            break;   // the caller leaves before the stream's end
                        }
                    }
                }
                else
                {
                    await chat.CompleteChatAsync(messages, options);
                }
                break;

            case "embeddings.create":
                // The library's convenience method always asks for base64 vectors; an application that wants the
                // fixture's parameters as they are (encoding_format "float") sends them through the protocol method.
                // Zespan.Wrap covers chat clients; other clients record through their options (AddZespan).
                var embeddings = new EmbeddingClient(model, new ApiKeyCredential("sk-fixture"), ClientOptions().AddZespan(tracer));
                await embeddings.GenerateEmbeddingsAsync(BinaryContent.Create(BinaryData.FromString(parameters.ToJsonString())));
                break;

            default:
                throw new InvalidOperationException($"The fixture names an api this suite cannot call: {call["api"]}.");
        }
    }

    private static ChatMessage ToChatMessage(JsonNode? message)
    {
        string content = message!["content"]!.GetValue<string>();
        return message["role"]!.GetValue<string>() switch
        {
            "system" => new SystemChatMessage(content),
            "user" => new UserChatMessage(content),
            "assistant" => new AssistantChatMessage(content),
            var role => throw new InvalidOperationException($"The fixture's message role '{role}' is not supported here."),
        };
    }

    private static void AssertSpan(JsonObject fixture, JsonObject actual)
    {
        JsonObject expected = fixture["expectedSpan"]!.AsObject();
        foreach ((string key, JsonNode? value) in expected)
        {
            if (key != "metadata")
            {
                AssertMatches(value, actual[key], key);
            }
        }
        foreach ((string key, JsonNode? value) in actual)
        {
            if (!expected.ContainsKey(key))
            {
                Assert.True(value is null, $"field '{key}' is not in the fixture: {value?.ToJsonString()}");
            }
        }
        JsonObject? metadata = actual["metadata"] as JsonObject;
        foreach ((string key, JsonNode? value) in expected["metadata"]!.AsObject())
        {
            AssertMatches(value, metadata?[key], "metadata." + key);
        }
        foreach (JsonNode? absent in fixture["absentMetadata"]?.AsArray() ?? [])
        {
            Assert.False(metadata?.ContainsKey(absent!.GetValue<string>()) == true, $"metadata.{absent} must be absent");
        }
        Assert.True(string.CompareOrdinal(actual["endTime"]!.GetValue<string>(), actual["startTime"]!.GetValue<string>()) >= 0, "endTime before startTime");
    }

    private static void AssertMatches(JsonNode? expected, JsonNode? actual, string where)
    {
        string? placeholder = expected is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        if (placeholder == "<number>")
        {
            Assert.True(actual is JsonValue n && n.TryGetValue(out double number) && double.IsFinite(number) && number >= 0, $"{where}: {actual?.ToJsonString()}");
            return;
        }
        string? pattern = placeholder switch
        {
            "<span-id>" => "^[0-9a-f]{16}$",
            "<trace-id>" => "^[0-9a-f]{32}$",
            "<timestamp>" => @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$",
            _ => null,
        };
        if (pattern is not null)
        {
            Assert.True(actual is not null && Regex.IsMatch(actual.GetValue<string>(), pattern), $"{where}: {actual?.ToJsonString()}");
            return;
        }
        Assert.True(JsonNode.DeepEquals(expected, actual), $"{where}: expected {expected?.ToJsonString()}, got {actual?.ToJsonString()}");
    }
}
