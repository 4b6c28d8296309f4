using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>
/// The runaway guard in Settings: add a rule (its secret shown once), see a private target refused with the reason, see
/// the delivery of a crossing with its answer, and delete the rule only after confirming. The webhook is a documentation
/// address (192.0.2.1): public, so accepted without ZESPAN_WEBHOOK_ALLOW_PRIVATE; its attempts fail, and are listed.
/// </summary>
public sealed class AlertsPageTests
{
    [Fact]
    public async Task ARuleAddedInSettings_ShowsItsSecretOnce_ListsItsDeliveries_AndIsDeletedAfterConfirming()
    {
        await using var server = await ZespanServer.StartAsync();
        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/settings");
        await page.ClickAsync("a[href='/settings/alerts']");
        await page.WaitForSelectorAsync("[data-testid=no-rules]");

        // A loopback target is refused, with the field and the operator setting named.
        await page.SelectOptionAsync("select[name=Kind]", "session_turns");
        await page.FillAsync("input[name=ThresholdTurns]", "1");
        await page.FillAsync("input[name=WebhookUrl]", "http://127.0.0.1:9/hook");
        await page.ClickAsync("[data-testid=rule-form] button[type=submit]");
        var refusal = await page.InnerTextAsync("p.error");
        Assert.Contains("webhookUrl", refusal);
        Assert.Contains("ZESPAN_WEBHOOK_ALLOW_PRIVATE", refusal);

        await page.SelectOptionAsync("select[name=Kind]", "session_turns");
        await page.FillAsync("input[name=Name]", "Chatty <b>agent</b>");
        await page.FillAsync("input[name=ThresholdTurns]", "1");
        await page.FillAsync("input[name=WebhookUrl]", "http://192.0.2.1/hook");
        await page.ClickAsync("[data-testid=rule-form] button[type=submit]");
        var secret = await page.InnerTextAsync("[data-testid=rule-secret]");
        Assert.Matches("^whsec_[0-9a-f]{64}$", secret);
        Assert.Contains("Chatty <b>agent</b>", await page.InnerTextAsync("[data-testid=rules]")); // escaped, shown as typed
        var rules = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/alerts/rules"))!["data"]!.AsArray();
        Assert.Equal(("session_turns", 1L), ((string)rules.Single()!["kind"]!, (long)rules[0]!["thresholdTurns"]!));

        await page.GotoAsync("/settings/alerts");
        Assert.Equal(0, await page.Locator("[data-testid=rule-secret]").CountAsync()); // shown once

        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
        var spans = string.Join(",", Enumerable.Range(1, 2).Select(i => $$"""
            {"id":"ui-guard-{{i}}","traceId":"ui-guard","sessionId":"ui-guard-session","name":"chat","kind":"llm","model":"gpt-4o",
             "startTime":"{{now}}","endTime":"{{now}}","usage":{"inputTokens":10,"outputTokens":1},"status":"ok"}
            """));
        var ingest = await server.Api.PostAsync("/api/v1/ingest", new StringContent("{\"batch\":[" + spans + "]}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(ingest.IsSuccessStatusCode, await ingest.Content.ReadAsStringAsync());
        for (var i = 0; i < 300 && await page.Locator("[data-testid=deliveries]").CountAsync() == 0; i++)
        {
            await Task.Delay(100);
            await page.GotoAsync("/settings/alerts");
        }
        var deliveries = await page.InnerTextAsync("[data-testid=deliveries]");
        Assert.Contains("ui-guard-session", deliveries);
        Assert.Contains("Chatty <b>agent</b>", deliveries);

        var acceptingPage = await browser.NewPageAsync(server.BaseUrl);
        acceptingPage.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await acceptingPage.GotoAsync("/settings/alerts");
        await acceptingPage.ClickAsync("[data-testid=rules] button");
        await acceptingPage.WaitForSelectorAsync("[data-testid=no-rules]");
        Assert.Empty((await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/alerts/rules"))!["data"]!.AsArray());
    }
}
