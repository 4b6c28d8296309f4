using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk.Guard;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// GetGuardStateAsync against the real server: a session recorded through the wrapped OpenAI client crosses a turns
/// rule, and the application reads "stop". The rule's webhook is a documentation address (192.0.2.1, TEST-NET-1): public,
/// so the server accepts it without ZESPAN_WEBHOOK_ALLOW_PRIVATE; its deliveries fail, which does not matter here.
/// </summary>
[Collection(ZespanServerCollection.Name)]
public sealed class GuardStateTests(ZespanServerFixture fixture)
{
    private ChatClient PlainClient() =>
        new("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = fixture.OpenAI.Endpoint });

    [Fact]
    public async Task ASessionPastARule_ReadsStop_ACalmOrUnknownOneDoesNot()
    {
        var created = await fixture.Server.Http.PostAsJsonAsync("api/v1/alerts/rules",
            new { name = "Too many turns", kind = "session_turns", thresholdTurns = 2, webhookUrl = "http://192.0.2.1/hook" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var ruleId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["rule"]!["id"]!.GetValue<long>();
        try
        {
            await using var tracer = new ZespanTracer(fixture.Options());
            var chat = Zespan.Wrap(PlainClient(), tracer);
            string runaway = "guard-" + Guid.NewGuid().ToString("N"), calm = "calm-" + Guid.NewGuid().ToString("N");
            using (Zespan.Context(sessionId: runaway))
            {
                for (var i = 0; i < 3; i++)
                    await chat.CompleteChatAsync([new UserChatMessage($"turn {i}")]);
            }
            using (Zespan.Context(sessionId: calm))
                await chat.CompleteChatAsync([new UserChatMessage("one turn")]);
            Assert.True(await tracer.FlushAsync(TimeSpan.FromSeconds(20)));

            var state = await Eventually.ReturnsAsync(() => tracer.GetGuardStateAsync(runaway)!, s => s!.Stop, what: "guard says stop");
            Assert.Null(state.Error);
            var crossed = Assert.Single(state.Crossed);
            Assert.Equal((ruleId, "Too many turns", "session_turns", "session", "3 turns"), (crossed.RuleId, crossed.RuleName, crossed.Kind, crossed.Subject, crossed.Figure));

            await Eventually.ReturnsAsync(() => fixture.Server.Http.GetAsync($"api/v1/sessions/{calm}")!, r => r!.IsSuccessStatusCode, what: "calm session stored");
            Assert.Equal(new GuardState(calm, null, false, []), await tracer.GetGuardStateAsync(calm) with { Crossed = [] });
            Assert.Empty((await tracer.GetGuardStateAsync(calm)).Crossed);
            var unknown = await tracer.GetGuardStateAsync("never-seen");
            Assert.False(unknown.Stop);
            Assert.Null(unknown.Error);
        }
        finally
        {
            await fixture.Server.Http.DeleteAsync($"api/v1/alerts/rules/{ruleId}");
        }
    }

    [Fact]
    public async Task AWrongKeyOrAnUnreachableServer_ReadsNoStop_WithTheError_AndDoesNotThrow()
    {
        await using var wrongKey = new ZespanTracer(fixture.Options(o => o.ApiKey = "zsp_wrong_key_0123456789abcdef"));
        var refused = await wrongKey.GetGuardStateAsync("any");
        Assert.False(refused.Stop);
        Assert.Equal("guard state: HTTP 401", refused.Error);

        await using var nowhere = new ZespanTracer(fixture.Options(o => { o.BaseUrl = "http://127.0.0.1:9"; o.RequestTimeout = TimeSpan.FromSeconds(2); }));
        var down = await nowhere.GetGuardStateAsync("any");
        Assert.False(down.Stop);
        Assert.NotNull(down.Error);
    }
}
