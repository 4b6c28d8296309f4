using System.ClientModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ZespanSdk.Tests.Fakes;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// No Zespan SDK at all: Microsoft.Extensions.AI's UseOpenTelemetry() over the OpenAI IChatClient, exported by the
/// OpenTelemetry .NET SDK's OTLP exporter (http/protobuf) to the real server process, as docs/otel.md shows.
/// </summary>
[Collection(ZespanServerCollection.Name)]
public sealed class OtlpDotNetClientTests(ZespanServerFixture fixture)
{
    [Fact]
    public async Task MeaiUseOpenTelemetry_ConversationIdIsTheSession_FiguresAndContentStored()
    {
        string session = "otel-dotnet-" + Guid.NewGuid().ToString("N")[..8];
        using var app = new ActivitySource("shop.api");
        using TracerProvider tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("shop"))
            .AddSource("shop.api", "Experimental.Microsoft.Extensions.AI")
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = new Uri(fixture.Server.BaseUrl, "v1/traces");
                o.Headers = $"Authorization=Bearer {ZespanServerProcess.ApiKey}";
            })
            .Build();
        IChatClient chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = fixture.OpenAI.Endpoint })
            .AsIChatClient()
            .AsBuilder()
            .UseOpenTelemetry(configure: c => c.EnableSensitiveData = true)
            .Build();

        var options = new ChatOptions { ConversationId = session };
        string[] questions = ["Where is my order?", "When does it arrive?"];
        using (Activity? request = app.StartActivity("POST /chat"))
        {
            request?.SetTag("enduser.id", "dotnet-user"); // the user comes from the ancestor span
            foreach (string question in questions)
                await chat.GetResponseAsync(question, options);
        }
        Assert.True(tracing.ForceFlush(10_000), "the OTLP exporter did not flush");

        JsonObject detail = await fixture.Server.WaitForTurnsAsync(session, 2);
        JsonNode s = detail["session"]!;
        FakeUsage[] usage = questions.Select(q => FakeUsage.For(q, "Echo: " + q)).ToArray();
        Assert.Equal("dotnet-user", (string)s["userId"]!);
        Assert.Equal(usage.Sum(u => u.PromptTokens), (long)s["inputTokens"]!);
        Assert.Equal(usage.Sum(u => u.CompletionTokens), (long)s["outputTokens"]!);
        // gpt-4o-mini per 1M tokens: input 0.15, cached input 0.075, output 0.60 (reasoning is part of output).
        double cost = usage.Sum(u => ((u.PromptTokens - u.CachedTokens) * 0.15 + u.CachedTokens * 0.075 + u.CompletionTokens * 0.60) / 1e6);
        Assert.Equal(cost, (double)s["costUsd"]!, 12);
        Assert.Equal("ok", (string)s["status"]!);

        JsonNode first = detail["timeline"]![0]!;
        Assert.Equal("gpt-4o-mini-2024-07-18", (string)first["model"]!);
        JsonObject trace = await fixture.Server.GetTraceAsync((string)first["traceId"]!);
        JsonNode call = trace["spans"]!.AsArray().First(x => (string)x!["id"]! == (string)first["spanId"]!)!;
        Assert.Equal("Where is my order?", (string)call["input"]!.AsArray().Last()!["content"]!);
        Assert.Equal("Echo: Where is my order?", (string)call["output"]!.AsArray()[0]!["content"]!);
        Assert.Equal("span", (string)trace["spans"]!.AsArray().First(x => (string)x!["name"]! == "POST /chat")!["kind"]!);
    }

    /// <summary>
    /// The official Anthropic library's own spans (its source com.anthropic.sdk.csharp, as its documentation adds it),
    /// exported over OTLP, the call made through its Microsoft.Extensions.AI adapter: input, prompt-cache
    /// reads and writes arrive as GenAI attributes (gen_ai.usage.cache_write.input_tokens) and the call is priced with the
    /// built-in cache-write price, not as plain input.
    /// </summary>
    [Fact]
    public async Task AnthropicLibrarySpans_CacheWritesArePricedAsWrites()
    {
        string session = "otel-anthropic-" + Guid.NewGuid().ToString("N")[..8];
        using TracerProvider tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("com.anthropic.sdk.csharp*")
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = new Uri(fixture.Server.BaseUrl, "v1/traces");
                o.Headers = $"Authorization=Bearer {ZespanServerProcess.ApiKey}";
            })
            .Build();
        Anthropic.IAnthropicClient anthropic = new Anthropic.AnthropicClient { ApiKey = "sk-ant-fake", BaseUrl = fixture.OpenAI.BaseUrl.ToString().TrimEnd('/') }
            .WithOptions(options => options with { OpenTelemetryRequest = new() { ConversationId = session } });
        const string Question = "Summarise the refund policy";
        await anthropic.AsIChatClient("claude-sonnet-4-5-20250929").GetResponseAsync(Question);
        Assert.True(tracing.ForceFlush(10_000), "the OTLP exporter did not flush");

        JsonObject detail = await fixture.Server.WaitForTurnsAsync(session, 1);
        FakeUsage sent = FakeUsage.For(Question, "Echo: " + Question);
        var (read, written) = FakeOpenAIServer.AnthropicCache(sent);
        JsonNode call = detail["timeline"]![0]!;
        Assert.Equal((sent.PromptTokens, read, written), ((long)call["inputTokens"]!, (long)call["cachedInputTokens"]!, (long)call["cacheCreationInputTokens"]!));
        // Claude Sonnet 4.5 per 1M tokens: input 3, cache read 0.30, cache write 3.75, output 15.
        double cost = ((sent.PromptTokens - read - written) * 3 + read * 0.30 + written * 3.75 + sent.CompletionTokens * 15) / 1e6;
        Assert.Equal(cost, (double)detail["session"]!["costUsd"]!, 12);
    }
}
