using System.ClientModel;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// Zespan.Context(sessionName: ...) against the real server: the name the application gives is the session's name in
/// GET /api/v1/sessions (and found by q=); a session without one is named after its first user message.
/// </summary>
[Collection(ZespanServerCollection.Name)]
public sealed class SessionNameTests(ZespanServerFixture fixture)
{
    [Fact]
    public async Task ANamedSession_ListsWithItsName_AnUnnamedOneWithItsFirstUserMessage()
    {
        await using var tracer = new ZespanTracer(fixture.Options());
        var chat = Zespan.Wrap(new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = fixture.OpenAI.Endpoint }), tracer);
        string named = "named-" + Guid.NewGuid().ToString("N")[..8], unnamed = "unnamed-" + Guid.NewGuid().ToString("N")[..8];
        using (Zespan.Context(sessionId: named, sessionName: "Refund <for> order #9012"))
        {
            await chat.CompleteChatAsync([new UserChatMessage("Hello, where is my refund?")]);
            await chat.CompleteChatAsync([new UserChatMessage("It has been a week.")]);
        }
        using (Zespan.Context(sessionId: unnamed))
            await chat.CompleteChatAsync([new UserChatMessage("Which plan suits five?")]);
        Assert.True(await tracer.FlushAsync(TimeSpan.FromSeconds(20)));

        var item = await ListedAsync(named, turns: 2);
        Assert.Equal("Refund <for> order #9012", item["name"]!.GetValue<string>());
        Assert.Equal("Which plan suits five?", (await ListedAsync(unnamed, turns: 1))["name"]!.GetValue<string>());
        var byName = await ListAsync("order #9012");
        Assert.Equal([named], byName.Select(s => s!["sessionId"]!.GetValue<string>()));
    }

    private async Task<JsonArray> ListAsync(string q) =>
        JsonNode.Parse(await fixture.Server.Http.GetStringAsync($"api/v1/sessions?q={Uri.EscapeDataString(q)}"))!["data"]!.AsArray();

    private async Task<JsonNode> ListedAsync(string sessionId, int turns)
    {
        var found = await Eventually.ReturnsAsync(
            async () => (await ListAsync(sessionId)).SingleOrDefault(s => s!["turns"]!.GetValue<int>() == turns),
            s => s is not null, what: $"{sessionId} listed with {turns} turns");
        return found!;
    }
}
