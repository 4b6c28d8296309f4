using System.ClientModel;
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
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests;

/// <summary>
/// Span payloads against the shared golden fixtures (sdk/spec/fixtures, rules in its README): the fixture's response
/// is served to the real OpenAI library through Zespan.Wrap, and the one span received is compared field by field.
/// </summary>
public sealed class PayloadFixtureTests : IClassFixture<FakeServersFixture>, IAsyncLifetime
{
    private static readonly string Fixtures = Path.Combine(ZespanServerProcess.RepositoryRoot(), "sdk", "spec", "fixtures");
    private readonly FakeServersFixture _servers;
    private WebApplication? _openai;
    private JsonObject _response = new();

    public PayloadFixtureTests(FakeServersFixture servers) => _servers = servers;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _openai = builder.Build();
        _openai.MapPost("/v1/{**path}", async context =>
        {
            context.Response.StatusCode = _response["status"]!.GetValue<int>();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(_response["json"]!.ToJsonString());
        });
        await _openai.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_openai is not null)
        {
            await _openai.DisposeAsync();
        }
    }

    private Uri Endpoint => new(_openai!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/v1/");

    [Fact]
    public async Task ErrorFixture()
    {
        JsonObject fixture = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Fixtures, "error.json")))!.AsObject();
        _response = fixture["response"]!.AsObject();
        JsonObject context = fixture["context"]!.AsObject();
        JsonObject parameters = fixture["call"]!["params"]!.AsObject();
        Assert.Equal("chat.completions.create", fixture["call"]!["api"]!.GetValue<string>());

        await using ZespanTracer tracer = _servers.NewTracer();
        ChatClient chat = Zespan.Wrap(new ChatClient(parameters["model"]!.GetValue<string>(), new ApiKeyCredential("sk-fixture"),
            new OpenAIClientOptions { Endpoint = Endpoint, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) }), tracer);
        string session = context["sessionId"]!.GetValue<string>() + "|" + Guid.NewGuid();
        using (Zespan.Context(userId: context["userId"]?.GetValue<string>(), sessionId: session))
        {
            string text = parameters["messages"]![0]!["content"]!.GetValue<string>();
            await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage(text)]));
        }

        JsonObject span = Assert.Single(await _servers.SpansOfSessionAsync(tracer, session));
        JsonObject expected = fixture["expectedSpan"]!.AsObject();
        expected["sessionId"] = session;   // made unique so concurrent tests cannot mix spans
        AssertSpan(expected, span);
    }

    private static void AssertSpan(JsonObject expected, JsonObject actual)
    {
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
        foreach ((string key, JsonNode? value) in expected["metadata"]!.AsObject())
        {
            AssertMatches(value, actual["metadata"]?[key], "metadata." + key);
        }
    }

    private static void AssertMatches(JsonNode? expected, JsonNode? actual, string where)
    {
        string? placeholder = expected is JsonValue v && v.TryGetValue(out string? s) ? s : null;
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
