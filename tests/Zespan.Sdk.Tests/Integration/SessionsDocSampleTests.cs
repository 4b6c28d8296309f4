using System.ClientModel;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// The C# sample of docs/sdk-dotnet.md, run against a real Zespan server. Only the OpenAI endpoint differs
/// from the doc (a local fake instead of api.openai.com); the Zespan part reads ZESPAN_API_KEY and
/// ZESPAN_BASE_URL from the environment exactly as the sample does.
/// </summary>
[Collection(ZespanServerCollection.Name)]
public sealed class SessionsDocSampleTests : IAsyncLifetime
{
    private readonly ZespanServerFixture _fixture;
    private string? _savedKey;
    private string? _savedUrl;

    public SessionsDocSampleTests(ZespanServerFixture fixture) => _fixture = fixture;

    public Task InitializeAsync()
    {
        _savedKey = Environment.GetEnvironmentVariable("ZESPAN_API_KEY");
        _savedUrl = Environment.GetEnvironmentVariable("ZESPAN_BASE_URL");
        Environment.SetEnvironmentVariable("ZESPAN_API_KEY", ZespanServerProcess.ApiKey);
        Environment.SetEnvironmentVariable("ZESPAN_BASE_URL", _fixture.Server.BaseUrl.ToString());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Zespan.ShutdownAsync();
        Environment.SetEnvironmentVariable("ZESPAN_API_KEY", _savedKey);
        Environment.SetEnvironmentVariable("ZESPAN_BASE_URL", _savedUrl);
    }

    /// <summary>The doc sample, line for line, as a class so the test can call HandleMessage.</summary>
    private sealed class DocSample
    {
        private readonly ChatClient openai;
        public readonly string sessionId;

        public DocSample(Uri fakeOpenAIEndpoint)
        {
            Zespan.Init(new ZespanOptions { ApiKey = Environment.GetEnvironmentVariable("ZESPAN_API_KEY") });
            openai = Zespan.Wrap(new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = fakeOpenAIEndpoint }));

            // Generate once per conversation
            sessionId = Guid.NewGuid().ToString();
        }

        public async Task<string> HandleMessage(string userId, string message)
        {
            using (Zespan.Context(userId: userId, sessionId: sessionId))
            {
                ChatCompletion response = await openai.CompleteChatAsync([new UserChatMessage(message)]);
                return response.Content[0].Text;
            }
        }
    }

    [Fact]
    public async Task DocSample_ProducesOneSession_WithTurnsTokensCostAndStatus()
    {
        var sample = new DocSample(_fixture.OpenAI.Endpoint);
        string[] messages = ["Hi, my order has not arrived", "It was order 1234, placed last Tuesday", "Thanks, can you refund the shipping?"];

        var answers = new List<string>();
        foreach (string message in messages)
        {
            answers.Add(await sample.HandleMessage("user-42", message));
        }
        await Zespan.FlushAsync();

        // The usage the fake OpenAI server reports for these prompts, asked without Zespan: the independent source for the expected figures.
        ChatTokenUsage[] usages = await UsagesOf(messages);

        JsonObject detail = await _fixture.Server.WaitForTurnsAsync(sample.sessionId, 3);
        JsonObject session = detail["session"]!.AsObject();
        Assert.Equal(sample.sessionId, session["sessionId"]!.GetValue<string>());
        Assert.Equal("user-42", session["userId"]!.GetValue<string>());
        Assert.Equal(3, session["turns"]!.GetValue<int>());
        Assert.Equal("ok", session["status"]!.GetValue<string>());
        Assert.Equal(0, session["errorCount"]!.GetValue<int>());
        Assert.Equal(usages.Sum(u => (long)u.InputTokenCount), session["inputTokens"]!.GetValue<long>());
        Assert.Equal(usages.Sum(u => (long)u.OutputTokenCount), session["outputTokens"]!.GetValue<long>());
        Assert.Equal(usages.Sum(u => (long)u.TotalTokenCount), session["totalTokens"]!.GetValue<long>());
        Assert.Equal(usages.Sum(ModelPrices.Gpt4oCost), session["costUsd"]!.GetValue<decimal>(), 9);

        JsonArray timeline = detail["timeline"]!.AsArray();
        Assert.Equal(3, timeline.Count);
        Assert.All(timeline, t => Assert.Equal("gpt-4o-2024-08-06", t!["model"]!.GetValue<string>()));
        string[] starts = timeline.Select(t => t!["startTime"]!.GetValue<string>()).ToArray();
        Assert.Equal(starts.Order(StringComparer.Ordinal), starts);
        Assert.Equal(answers, messages.Select(m => "Echo: " + m));
    }

    [Fact]
    public async Task SessionWithAFailedCall_HasStatusErrorAndCountsIt()
    {
        var sample = new DocSample(_fixture.OpenAI.Endpoint);

        await sample.HandleMessage("user-7", "first question");
        await Assert.ThrowsAsync<ClientResultException>(() => sample.HandleMessage("user-7", "this one breaks [error:400]"));
        await sample.HandleMessage("user-7", "third question");
        await Zespan.FlushAsync();

        JsonObject detail = await _fixture.Server.WaitForTurnsAsync(sample.sessionId, 3);
        Assert.Equal("error", detail["session"]!["status"]!.GetValue<string>());
        Assert.Equal(1, detail["session"]!["errorCount"]!.GetValue<int>());
        JsonNode failed = Assert.Single(detail["timeline"]!.AsArray(), t => t!["status"]!.GetValue<string>() == "error")!;
        Assert.Contains("refuse", failed["error"]!.GetValue<string>());
    }

    /// <summary>Asks the fake server for the same prompts without Zespan to learn the usage it reports for them.</summary>
    private async Task<ChatTokenUsage[]> UsagesOf(string[] messages)
    {
        var plain = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = _fixture.OpenAI.Endpoint });
        var usages = new List<ChatTokenUsage>();
        foreach (string message in messages)
        {
            usages.Add((await plain.CompleteChatAsync([new UserChatMessage(message)])).Value.Usage);
        }
        return usages.ToArray();
    }
}
