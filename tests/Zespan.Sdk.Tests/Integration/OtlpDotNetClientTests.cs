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
}
