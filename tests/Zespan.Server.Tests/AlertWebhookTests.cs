using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Zespan.Core.Alerts;

namespace Zespan.Server.Tests;

/// <summary>
/// The runaway guard end to end: the real server on a real SQLite file, spans in through the ingest API, rules through the
/// alerts API, and a real HTTP receiver on loopback (allowed by ZESPAN_WEBHOOK_ALLOW_PRIVATE=true).
/// The project prices "guard-model" at $0.10 per input token, so 10 tokens are $1 and thresholds read as dollars.
/// </summary>
public sealed class AlertWebhookTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private ZespanApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = GuardedApp();
        _client = _app.ClientWithKey();
        await PriceGuardModelAsync(_client);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _receiver.DisposeAsync();
    }

    internal static ZespanApp GuardedApp(string? dataDirectory = null, Action<IServiceCollection>? services = null)
    {
        var app = new ZespanApp { ConfigureServices = services };
        app.Settings["ZESPAN_WEBHOOK_ALLOW_PRIVATE"] = "true";
        app.Settings["ZESPAN_WEBHOOK_RETRY_BASE_MS"] = "100";
        if (dataDirectory is not null)
            app.Settings["ZESPAN_DATA"] = dataDirectory;
        return app;
    }

    internal static async Task PriceGuardModelAsync(HttpClient client)
    {
        var priced = await client.PutAsync("/api/v1/prices/guard-model", Api.Json("{\"inputPerMillion\":100000,\"outputPerMillion\":0}"));
        Assert.Equal(HttpStatusCode.OK, priced.StatusCode);
    }

    /// <summary>An LLM span of the guard model costing <paramref name="dollars"/>, started <paramref name="minutesAgo"/> minutes ago.</summary>
    internal static string Spend(string id, string session, int dollars, string? user = null, int minutesAgo = 30)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-minutesAgo);
        return Api.Span(id, session, model: "guard-model", input: dollars * 10, output: 0,
            start: start.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), end: start.AddSeconds(1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            extra: user is null ? "" : $"\"userId\":\"{user}\"");
    }

    internal static async Task<(long Id, string Secret)> CreateRuleAsync(HttpClient client, string json)
    {
        var response = await client.PostAsync("/api/v1/alerts/rules", Api.Json(json));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await response.ReadJsonAsync();
        return ((long)created["rule"]!["id"]!, (string)created["secret"]!);
    }

    private async Task IngestAsync(params string[] spans)
    {
        var response = await _client.IngestAsync(Api.Batch(spans));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string SessionOf(WebhookReceiver.Call call) => (string)JsonNode.Parse(call.Body)!["subject"]!["sessionId"]!;

    [Fact]
    public async Task CrossingARule_PostsOneSignedEvent_ListedWithItsAnswer_AndInTheGuardState()
    {
        var (ruleId, secret) = await CreateRuleAsync(_client, $$"""{"name":"Runaway","kind":"session_cost","thresholdUsd":5,"webhookUrl":"{{_receiver.Url()}}"}""");
        Assert.StartsWith("whsec_", secret);

        await IngestAsync(Spend("a1", "conv-a", 3));
        await IngestAsync(Spend("a2", "conv-a", 3)); // $6 > $5
        var call = Assert.Single(await _receiver.WaitForCallsAsync(1));

        // The signature is HMAC-SHA256 of the exact body with the secret shown at creation.
        Assert.True(WebhookSignature.Verify(secret, call.Body, call.Headers["Zespan-Signature"]));
        Assert.False(WebhookSignature.Verify("whsec_wrong", call.Body, call.Headers["Zespan-Signature"]));
        Assert.Matches("^sha256=[0-9a-f]{64}$", call.Headers["Zespan-Signature"]);
        var body = JsonNode.Parse(call.Body)!;
        Assert.Equal("alert.fired", (string)body["type"]!);
        Assert.Equal((string)body["id"]!, call.Headers["Zespan-Event-Id"]);
        Assert.Equal(ruleId, (long)body["rule"]!["id"]!);
        Assert.Equal("session_cost", (string)body["rule"]!["kind"]!);
        Assert.Equal(5.0, (double)body["rule"]!["thresholdUsd"]!);
        Assert.Equal("conv-a", SessionOf(call));
        Assert.Equal(6.0, (double)body["figure"]!["costUsd"]!, 9);
        Assert.Equal(2, (int)body["figure"]!["turns"]!);
        Assert.Equal("/api/v1/sessions/conv-a/guard", (string)body["guardUrl"]!);

        var delivery = await WaitForDeliveryAsync(d => (string)d["state"]! == "delivered");
        Assert.Equal(1, (int)delivery["attempts"]!);
        var attempt = Assert.Single(delivery["attemptLog"]!.AsArray());
        Assert.Equal(200, (int)attempt!["status"]!);
        Assert.Null(attempt["error"]);

        var guard = await _client.GetJsonAsync("/api/v1/sessions/conv-a/guard");
        Assert.True((bool)guard["stop"]!);
        var crossed = Assert.Single(guard["crossed"]!.AsArray());
        Assert.Equal(("Runaway", "session_cost", "session", "$6.00"), ((string)crossed!["ruleName"]!, (string)crossed["kind"]!, (string)crossed["subject"]!, (string)crossed["figure"]!));
    }

    [Fact]
    public async Task AWebhookThatAnswers500_IsRetriedWithBackOff_UntilItSucceeds_WithTheSameSignedBody()
    {
        var (_, secret) = await CreateRuleAsync(_client, $$"""{"kind":"session_turns","thresholdTurns":2,"webhookUrl":"{{_receiver.Url()}}"}""");
        _receiver.Answer(500, 500);
        await IngestAsync(Spend("t1", "conv-t", 1), Spend("t2", "conv-t", 1), Spend("t3", "conv-t", 1)); // 3 turns > 2

        var calls = await _receiver.WaitForCallsAsync(3);
        Assert.Equal(3, calls.Count);
        Assert.Single(calls.Select(c => c.Body).Distinct());
        Assert.All(calls, c => Assert.True(WebhookSignature.Verify(secret, c.Body, c.Headers["Zespan-Signature"])));
        Assert.Equal(["1", "2", "3"], calls.Select(c => c.Headers["Zespan-Attempt"]));

        var delivery = await WaitForDeliveryAsync(d => (string)d["state"]! == "delivered");
        var log = delivery["attemptLog"]!.AsArray();
        Assert.Equal([500, 500, 200], log.Select(a => (int)a!["status"]!));
        Assert.Equal("HTTP 500 Internal Server Error", (string)log[0]!["error"]!);
        // Back-off: the second wait (base 100 ms × 2) is longer than the first (100 ms).
        var at = log.Select(a => DateTimeOffset.Parse((string)a!["at"]!)).ToList();
        Assert.True(at[1] - at[0] >= TimeSpan.FromMilliseconds(100), $"{at[0]:O} → {at[1]:O}");
        Assert.True(at[2] - at[1] >= TimeSpan.FromMilliseconds(200), $"{at[1]:O} → {at[2]:O}");
    }

    [Fact]
    public async Task ReSentSpansAndFurtherSpend_DoNotFireARuleTwice()
    {
        await CreateRuleAsync(_client, $$"""{"kind":"session_cost","thresholdUsd":5,"webhookUrl":"{{_receiver.Url()}}"}""");
        await IngestAsync(Spend("r1", "conv-r", 6));
        await _receiver.WaitForCallsAsync(1, c => SessionOf(c) == "conv-r");
        // The same span again (a client retry), then more spend in the same session.
        await IngestAsync(Spend("r1", "conv-r", 6));
        await IngestAsync(Spend("r1", "conv-r", 6), Spend("r2", "conv-r", 4));
        // A later session crossing: once its event arrives, the re-sends before it were evaluated too.
        await IngestAsync(Spend("p1", "probe", 9));
        await _receiver.WaitForCallsAsync(1, c => SessionOf(c) == "probe");
        Assert.Single(_receiver.Calls, c => SessionOf(c) == "conv-r");
    }

    [Fact]
    public async Task ReSendingASpan_DoesNotAddItsCostTwice_SoTheRuleDoesNotFire()
    {
        await CreateRuleAsync(_client, $$"""{"kind":"session_cost","thresholdUsd":5,"webhookUrl":"{{_receiver.Url()}}"}""");
        for (var i = 0; i < 3; i++)
            await IngestAsync(Spend("same", "conv-once", 3)); // $3, however often it is sent
        await IngestAsync(Spend("p1", "probe", 9));
        await _receiver.WaitForCallsAsync(1, c => SessionOf(c) == "probe");
        Assert.DoesNotContain(_receiver.Calls, c => SessionOf(c) == "conv-once");
        var guard = await _client.GetJsonAsync("/api/v1/sessions/conv-once/guard");
        Assert.False((bool)guard["stop"]!);
        Assert.Empty(guard["crossed"]!.AsArray());
    }

    [Fact]
    public async Task ALateSpan_ThatCrossesTheRule_FiresIt()
    {
        await CreateRuleAsync(_client, $$"""{"kind":"session_cost","thresholdUsd":5,"webhookUrl":"{{_receiver.Url()}}"}""");
        await IngestAsync(Spend("l2", "conv-late", 3, minutesAgo: 10));
        // A span that happened before the session's first one, arriving after it.
        await IngestAsync(Spend("l1", "conv-late", 3, minutesAgo: 50));
        var call = Assert.Single(await _receiver.WaitForCallsAsync(1, c => SessionOf(c) == "conv-late"));
        Assert.Equal(6.0, (double)JsonNode.Parse(call.Body)!["figure"]!["costUsd"]!, 9);
    }

    [Fact]
    public async Task AUserRule_FiresOncePerWindow_OnTheUsersSessionsInIt()
    {
        await CreateRuleAsync(_client, $$"""{"kind":"user_cost","thresholdUsd":5,"window":"24h","webhookUrl":"{{_receiver.Url()}}"}""");
        await IngestAsync(Spend("u1", "alice-1", 3, user: "alice"));
        await IngestAsync(Spend("u2", "alice-2", 3, user: "alice")); // $6 over two sessions
        var call = Assert.Single(await _receiver.WaitForCallsAsync(1));
        var body = JsonNode.Parse(call.Body)!;
        Assert.Equal(("alice", "24h"), ((string)body["subject"]!["userId"]!, (string)body["subject"]!["window"]!));
        Assert.Equal((6.0, 2), ((double)body["figure"]!["costUsd"]!, (int)body["figure"]!["sessions"]!));

        // An old session of bob's is outside the window: $9 two days ago and $3 now do not pass $5.
        await IngestAsync(Spend("b0", "bob-old", 9, user: "bob", minutesAgo: 48 * 60));
        await IngestAsync(Spend("b1", "bob-1", 3, user: "bob"));
        await IngestAsync(Spend("u3", "alice-3", 3, user: "alice")); // alice again, same window: no second event
        await IngestAsync(Spend("c1", "carol-1", 7, user: "carol"));
        await _receiver.WaitForCallsAsync(2);
        Assert.Equal(["alice", "carol"], _receiver.Calls.Select(c => (string)JsonNode.Parse(c.Body)!["subject"]!["userId"]!));

        var guard = await _client.GetJsonAsync("/api/v1/sessions/alice-3/guard");
        Assert.True((bool)guard["stop"]!);
        Assert.Equal("user", (string)Assert.Single(guard["crossed"]!.AsArray())!["subject"]!);
        Assert.False((bool)(await _client.GetJsonAsync("/api/v1/sessions/bob-1/guard"))["stop"]!);
    }

    [Fact]
    public async Task ARedirect_IsNotFollowed_AndCountsAsAFailedAttempt()
    {
        _receiver.DefaultStatus = 302;
        await CreateRuleAsync(_client, $$"""{"kind":"session_turns","thresholdTurns":1,"webhookUrl":"{{_receiver.Url()}}"}""");
        await IngestAsync(Spend("x1", "conv-x", 1), Spend("x2", "conv-x", 1));
        await _receiver.WaitForCallsAsync(2);
        Assert.All(_receiver.Calls, c => Assert.Equal("/hook", c.Path));
        var delivery = await WaitForDeliveryAsync(d => d["attemptLog"]!.AsArray().Count >= 1);
        var first = delivery["attemptLog"]!.AsArray()[0]!;
        Assert.Equal(302, (int)first["status"]!);
        Assert.Contains("not followed", (string)first["error"]!);
    }

    [Fact]
    public async Task DeletingARule_StopsIt_AndAnotherProjectCannotSeeOrDeleteIt()
    {
        var (ruleId, _) = await CreateRuleAsync(_client, $$"""{"kind":"session_cost","thresholdUsd":5,"webhookUrl":"{{_receiver.Url()}}"}""");
        var (_, otherKey) = await _app.CreateProjectAsync("Other");
        var other = _app.ClientWithKey(otherKey);
        Assert.Empty((await other.GetJsonAsync("/api/v1/alerts/rules"))["data"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/v1/alerts/rules/{ruleId}")).StatusCode);
        var rules = (await _client.GetJsonAsync("/api/v1/alerts/rules"))["data"]!.AsArray();
        Assert.Equal(ruleId, (long)Assert.Single(rules)!["id"]!);
        Assert.Null(rules[0]!["secret"]);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/v1/alerts/rules/{ruleId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync($"/api/v1/alerts/rules/{ruleId}")).StatusCode);
        await CreateRuleAsync(_client, $$"""{"kind":"session_cost","thresholdUsd":50,"webhookUrl":"{{_receiver.Url()}}"}""");
        await IngestAsync(Spend("d1", "conv-d", 6), Spend("p1", "probe", 60));
        await _receiver.WaitForCallsAsync(1, c => SessionOf(c) == "probe");
        Assert.DoesNotContain(_receiver.Calls, c => SessionOf(c) == "conv-d");
    }

    [Fact]
    public async Task TheAnomalousKind_FiresWithTheDetectorsReason_WhenADetectorIsRegistered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var app = GuardedApp(services: s => s.AddSingleton<ISessionAnomalySource>(new FlagsSessionsNamedOdd()));
        var client = app.ClientWithKey();
        await CreateRuleAsync(client, $$"""{"kind":"session_anomalous","webhookUrl":"{{receiver.Url()}}"}""");
        await client.IngestAsync(Api.Batch(Api.Span("n1", "normal"), Api.Span("o1", "odd-1")));
        var call = Assert.Single(await receiver.WaitForCallsAsync(1));
        Assert.Equal("odd-1", SessionOf(call));
        Assert.Equal("planted for the test", (string)JsonNode.Parse(call.Body)!["figure"]!["reason"]!);
    }

    [Fact]
    public async Task TheAnomalousKind_WithTheServersOwnDetector_FiresForTheRunawaySessionOnly()
    {
        await CreateRuleAsync(_client, $$"""{"kind":"session_anomalous","webhookUrl":"{{_receiver.Url()}}"}""");
        // 24 usual conversations of 3 turns at $1 or $2 a turn: a baseline, none of them far above it.
        var usual = Enumerable.Range(0, 24)
            .SelectMany(s => Enumerable.Range(0, 3).Select(t => Spend($"usual-{s}-{t}", $"usual-{s}", 1 + s % 2, minutesAgo: 60 - t)))
            .ToArray();
        await IngestAsync(usual);
        // A runaway agent: 40 turns at $1, about 9× the usual cost and 13× the usual turns.
        await IngestAsync(Enumerable.Range(0, 40).Select(t => Spend($"loop-{t}", "runaway", 1, minutesAgo: 50 - t % 40)).ToArray());

        var call = Assert.Single(await _receiver.WaitForCallsAsync(1));
        Assert.Equal("runaway", SessionOf(call));
        Assert.Contains("× the median", (string)JsonNode.Parse(call.Body)!["figure"]!["reason"]!);
        await Task.Delay(500);
        Assert.DoesNotContain(_receiver.Calls, c => SessionOf(c).StartsWith("usual-", StringComparison.Ordinal));
    }

    private sealed class FlagsSessionsNamedOdd : ISessionAnomalySource
    {
        public Task<AnomalyFlag?> FlagAsync(long projectId, string sessionId, CancellationToken cancellationToken = default) =>
            Task.FromResult(sessionId.StartsWith("odd", StringComparison.Ordinal) ? new AnomalyFlag("planted for the test") : null);
    }

    [Fact]
    public async Task DeliveriesQueuedBeforeARestart_AreSentAfterIt()
    {
        var data = Path.Combine(Path.GetTempPath(), "zespan-server-tests", Guid.NewGuid().ToString("N"));
        try
        {
            _receiver.DefaultStatus = 503;
            using (var first = GuardedApp(data))
            {
                first.Settings["ZESPAN_WEBHOOK_RETRY_BASE_MS"] = "1500";
                var client = first.ClientWithKey();
                await PriceGuardModelAsync(client);
                await CreateRuleAsync(client, $$"""{"kind":"session_cost","thresholdUsd":5,"webhookUrl":"{{_receiver.Url()}}"}""");
                await client.IngestAsync(Api.Batch(Spend("s1", "conv-restart", 6)));
                await _receiver.WaitForCallsAsync(1);
                for (var i = 0; i < 100; i++)
                {
                    var listed = (await client.GetJsonAsync("/api/v1/alerts/deliveries"))["data"]!.AsArray();
                    if (listed.Count == 1 && (int)listed[0]!["attempts"]! == 1)
                        break;
                    await Task.Delay(20);
                }
            } // stopped with the retry pending
            _receiver.DefaultStatus = 200;
            using var second = GuardedApp(data);
            var again = second.ClientWithKey();
            await _receiver.WaitForCallsAsync(2);
            var delivery = Assert.Single((await again.GetJsonAsync("/api/v1/alerts/deliveries"))["data"]!.AsArray())!;
            for (var i = 0; i < 100 && (string)delivery["state"]! != "delivered"; i++)
            {
                await Task.Delay(50);
                delivery = Assert.Single((await again.GetJsonAsync("/api/v1/alerts/deliveries"))["data"]!.AsArray())!;
            }
            Assert.Equal([503, 200], delivery["attemptLog"]!.AsArray().Select(a => (int)a!["status"]!));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private async Task<JsonNode> WaitForDeliveryAsync(Func<JsonNode, bool> done)
    {
        for (var i = 0; i < 200; i++)
        {
            var data = (await _client.GetJsonAsync("/api/v1/alerts/deliveries"))["data"]!.AsArray();
            if (data.FirstOrDefault(d => done(d!)) is { } delivery)
                return delivery;
            await Task.Delay(50);
        }
        throw new TimeoutException("No delivery reached the expected state within 10 s.");
    }
}
