using System.Globalization;
using Microsoft.Playwright;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

[Collection(SeededServerCollection.Name)]
public sealed class SessionDetailTests(SeededServerFixture fixture)
{
    private static string Usd(decimal usd) => usd.ToString("0.############", CultureInfo.InvariantCulture);

    // A session with several turns, a user, an error and a cached-token call: every metric has something to show.
    private ExpectedSession Rich => fixture.Sessions.Where(s => s.UserId is not null && s.Errors > 0).MaxBy(s => s.Turns)!;

    [Fact]
    public async Task ClickingARow_OpensItsDetail_WithMetricsRecomputedFromTheSpans()
    {
        var expected = Rich;
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions?limit=100");
        // Click the Turns cell, not the ID link: the whole row opens the detail.
        await page.Locator($"tr[data-session-id='{expected.SessionId}'] td:nth-child(5)").ClickAsync();
        try { await page.WaitForURLAsync($"**/sessions/{expected.SessionId}", new() { Timeout = 10_000 }); }
        catch (TimeoutException e) { throw new Exception("still at " + page.Url, e); }

        Assert.Equal(expected.SessionId, await page.InnerTextAsync("[data-testid=session-id]"));
        Assert.Equal(Usd(expected.CostUsd), await page.GetAttributeAsync("[data-testid=metric-cost]", "data-value"));
        Assert.Equal(expected.TotalTokens.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=metric-tokens]", "data-value"));
        Assert.Equal($"{expected.InputTokens:#,##0} in · {expected.OutputTokens:#,##0} out", await page.InnerTextAsync("[data-testid=metric-token-split]"));
        Assert.Equal(expected.AvgLatencyMs, double.Parse((await page.GetAttributeAsync("[data-testid=metric-latency]", "data-value"))!, CultureInfo.InvariantCulture), 6);
        Assert.Equal(expected.Errors.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=metric-errors]", "data-value"));
        Assert.Equal(expected.Turns.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=metric-turns]", "data-value"));
        Assert.Equal(expected.DurationMs.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=metric-duration]", "data-value"));

        var calls = fixture.Spans.Where(s => s.IsLlm && s.SessionId == expected.SessionId).OrderBy(s => s.Start).ToList();
        var entries = page.Locator("[data-testid=timeline] > li");
        Assert.Equal(calls.Select(c => c.Id), await entries.EvaluateAllAsync<string[]>("li => li.map(e => e.dataset.spanId)"));
        for (var i = 0; i < calls.Count; i++)
        {
            var entry = entries.Nth(i);
            Assert.Equal(calls[i].Model, await entry.Locator(".model").InnerTextAsync());
            Assert.Equal(calls[i].LatencyMs.ToString(CultureInfo.InvariantCulture), await entry.Locator("[data-field=latency]").GetAttributeAsync("data-value"));
            Assert.Equal((calls[i].InputTokens + calls[i].OutputTokens).ToString(CultureInfo.InvariantCulture), await entry.Locator("[data-field=tokens]").GetAttributeAsync("data-value"));
            Assert.Equal(Usd(calls[i].CostUsd), await entry.Locator("[data-field=cost]").GetAttributeAsync("data-value"));
            Assert.Equal(calls[i].Status == "error" ? "error" : "ok", await entry.Locator(".badge").InnerTextAsync());
        }
    }

    [Fact]
    public async Task TimelineEntry_OpensItsTracesFlameGraph_WithThatCallSelected()
    {
        var call = fixture.Spans.Where(s => s.IsLlm && s.SessionId == Rich.SessionId).OrderBy(s => s.Start).Last();
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/sessions/{Rich.SessionId}");
        await page.Locator($"li[data-span-id='{call.Id}'] [data-testid=timeline-trace-link]").ClickAsync();
        await page.WaitForURLAsync($"**/traces/{call.TraceId}?span={call.Id}");

        var traceSpans = fixture.Spans.Where(s => s.TraceId == call.TraceId).ToList();
        var bars = page.Locator("[data-testid=flame-graph] a");
        Assert.Equal(traceSpans.Select(s => s.Id).Order(), (await bars.EvaluateAllAsync<string[]>("a => a.map(e => e.dataset.spanId)")).Order());
        Assert.Equal(call.Id, await page.GetAttributeAsync("[data-testid=span-panel]", "data-span-id"));
        Assert.Contains(call.Model!, await page.InnerTextAsync("[data-testid=span-model]"));
        Assert.Equal(Usd(call.CostUsd), await page.GetAttributeAsync("[data-testid=span-cost]", "data-value"));
        Assert.Contains("failed", await page.GetAttributeAsync($"[data-testid=flame-graph] a[data-span-id='{call.Id}']", "class") ?? "");
        Assert.Contains("llm", await page.GetAttributeAsync($"[data-testid=flame-graph] a[data-span-id='{call.Id}']", "class") ?? "");

        // The root is drawn above its child, and clicking its bar selects it.
        var root = traceSpans.Single(s => s.ParentId is null);
        await page.Locator($"[data-testid=flame-graph] a[data-span-id='{root.Id}'] .span-bar").ClickAsync();
        await page.WaitForURLAsync($"**span={root.Id}");
        Assert.Equal(root.Id, await page.GetAttributeAsync("[data-testid=span-panel]", "data-span-id"));
    }

    [Fact]
    public async Task UserLink_ShowsAllSessionsOfThatUser()
    {
        var expected = Rich;
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/sessions/{expected.SessionId}");
        await page.ClickAsync("[data-testid=user-link]");
        await page.WaitForURLAsync($"**/users/{expected.UserId}");

        var mine = fixture.Sessions.Where(s => s.UserId == expected.UserId).ToList();
        Assert.Equal(mine.Select(s => s.SessionId).Order(), (await TablePage.SessionIdsAsync(page)).Order());
        Assert.Equal(mine.Count.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=stat-sessions]", "data-value"));
        Assert.Equal(Usd(mine.Sum(s => s.CostUsd)), await page.GetAttributeAsync("[data-testid=stat-total-cost]", "data-value"));
    }

    [Fact]
    public async Task ScriptInAPrompt_IsShownAsText_AndNeverRuns()
    {
        var page = await fixture.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await page.GotoAsync($"/sessions/{TestData.InjectionSessionId}");
        await page.ClickAsync("[data-testid=timeline] summary");

        var prompt = await page.InnerTextAsync("[data-testid=prompt] .message pre.content");
        Assert.Equal(TestData.ScriptPrompt, prompt);
        Assert.Equal("<b>not bold</b>", await page.InnerTextAsync("[data-testid=completion] .message pre.content"));
        Assert.Equal(0, await page.Locator("[data-testid=prompt] script, [data-testid=prompt] img, [data-testid=completion] b").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("window.__pwned ?? null"));
        Assert.Equal(0, dialogs);

        // Same on the trace page, whose panel shows the input of the selected call.
        await page.GotoAsync("/traces/trace-injection");
        Assert.Contains("<script>", await page.InnerTextAsync("[data-testid=span-input]"));
        Assert.Null(await page.EvaluateAsync<int?>("window.__pwned ?? null"));
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task UnknownSessionAndTrace_Answer404_WithAMessage()
    {
        var page = await fixture.NewPageAsync();
        var session = await page.GotoAsync("/sessions/no-such-session");
        Assert.Equal(404, session!.Status);
        Assert.Contains("no-such-session", await page.InnerTextAsync(".problem"));
        var trace = await page.GotoAsync("/traces/no-such-trace");
        Assert.Equal(404, trace!.Status);
        Assert.Contains("Trace not found", await page.InnerTextAsync(".problem"));
    }
}
