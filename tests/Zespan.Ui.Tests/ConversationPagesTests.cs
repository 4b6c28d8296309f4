using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>
/// The session's conversation (?view=transcript) and the compare page in Chromium against the real server, on sessions
/// this class sends: a support conversation with a tool call, a long pasted log, a prompt carrying a script and a failed
/// last call (an id with a slash, a space and a #), a Responses-API conversation and a short chat. Every figure is
/// recomputed from the spans sent; screenshots go to docs/screenshots with ZESPAN_UPDATE_SCREENSHOTS=1.
/// </summary>
public sealed class ConversationPagesTests(ConversationPagesTests.Seeded seeded) : IClassFixture<ConversationPagesTests.Seeded>
{
    private const string Support = "support/42 #1";
    private const string Responses = "support-43";
    private const string Short = "support-44";
    private const string Script = "My order <script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> is late";

    private ZespanServer server => seeded.Server;
    private BrowserSession browser => seeded.Browser;
    private List<SentSpan> spans => seeded.Spans;

    private static string Usd(decimal usd) => usd.ToString("0.############", CultureInfo.InvariantCulture);

    private static JsonObject Msg(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static JsonArray History(params JsonNode[] messages) => new([.. messages.Select(m => m.DeepClone())]);

    /// <summary>One server and browser for the class: starting them per test was most of its time.</summary>
    public sealed class Seeded : IAsyncLifetime
    {
        public ZespanServer Server { get; private set; } = default!;
        public BrowserSession Browser { get; private set; } = default!;
        public List<SentSpan> Spans { get; private set; } = [];

        public async Task InitializeAsync()
        {
            Server = await ZespanServer.StartAsync();
            var start = DateTime.UtcNow.AddHours(-1);
            SentSpan Llm(string session, int turn, string model, JsonNode? input, JsonNode? output, int latency, long inTok, long outTok, string? error = null) =>
                new($"{session}-llm-{turn}", $"{session}-trace-{turn}", null, session, "dana", "chat.completions.create", "llm", model,
                    start.AddMinutes(turn), start.AddMinutes(turn).AddMilliseconds(latency), inTok, outTok, 0, error is null ? "ok" : "error", error, input, output);

            var system = Msg("system", "You are Acme's support agent. Be concise.");
            var ask = Msg("user", Script);
            var toolCall = new JsonObject
            {
                ["role"] = "assistant", ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "lookup_order", ["arguments"] = "{\"order\":\"42\"}" } }),
            };
            var toolResult = new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "status: delayed at depot, ETA Friday" };
            var answer = Msg("assistant", "Your order is delayed at the depot; it should arrive on Friday.");
            var log = Msg("user", "Here is the tracking log:\n" + string.Join("\n", Enumerable.Range(1, 40).Select(i => $"2026-11-{i % 28 + 1:00} 10:{i:00} scanned at hub {i}")));
            var thanks = Msg("assistant", "Thanks, the log confirms the depot delay.");
            var refund = Msg("user", "Can I get a refund?");
            Spans =
            [
                Llm(Support, 0, "gpt-4o", History(system, ask), toolCall.DeepClone(), 1_200, 410, 28),
                Llm(Support, 1, "gpt-4o", History(system, ask, toolCall, toolResult), answer.DeepClone(), 900, 520, 40),
                Llm(Support, 2, "gpt-4o", History(system, ask, toolCall, toolResult, answer, log), thanks.DeepClone(), 2_300, 1_900, 22),
                Llm(Support, 3, "gpt-4o", History(system, ask, toolCall, toolResult, answer, log, thanks, refund), null, 300, 1_950, 0, "429 rate limited"),
                Llm(Responses, 0, "gpt-4o-mini", new JsonObject { ["instructions"] = "Be terse.", ["input"] = "Where is order 43?" },
                    JsonNode.Parse("""[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Shipped yesterday."}]}]"""), 400, 120, 8),
                Llm(Responses, 1, "gpt-4o-mini", JsonNode.Parse("""{"instructions":"Be terse.","input":[{"role":"user","content":"Where is order 43?"},{"role":"assistant","content":"Shipped yesterday."},{"role":"user","content":"Thanks!"}]}"""),
                    JsonNode.Parse("""[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"You're welcome."}]}]"""), 350, 150, 6),
                Llm(Short, 0, "gpt-4o-mini", History(Msg("user", "hi")), Msg("assistant", "Hello!"), 200, 20, 3),
            ];
            await TestData.IngestAsync(Server, Spans);
            Browser = await BrowserSession.LogInAsync(Server);
        }

        public async Task DisposeAsync()
        {
            await Browser.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Conversation_EachMessageOnce_ScriptAsText_FiguresInTheMargin_LinksToFlameGraphs()
    {
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions");
        await page.Locator("a.row-target", new() { HasTextString = Support }).ClickAsync();
        await page.Locator("[data-testid=view-transcript]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=transcript]");
        Assert.Contains("view=transcript", page.Url);

        var turns = page.Locator("[data-testid=transcript-turn]");
        var calls = spans.Where(s => s.SessionId == Support).OrderBy(s => s.Start).ToList();
        Assert.Equal(calls.Select(c => c.Id), await turns.EvaluateAllAsync<string[]>("li => li.map(e => e.dataset.spanId)"));
        // What each call added, and nothing it re-sent: 3 + 2 + 2 + 1 messages for 1 + 4 + 6 + 8 sent.
        string[][] roles = [["system", "user", "assistant"], ["tool", "assistant"], ["user", "assistant"], ["user"]];
        for (var i = 0; i < calls.Count; i++)
        {
            var turn = turns.Nth(i);
            Assert.Equal(roles[i], await turn.Locator("[data-testid=transcript-message]").EvaluateAllAsync<string[]>("m => m.map(e => e.dataset.role)"));
            Assert.Equal(calls[i].LatencyMs.ToString(CultureInfo.InvariantCulture), await turn.Locator("[data-field=latency]").GetAttributeAsync("data-value"));
            Assert.Equal((calls[i].InputTokens + calls[i].OutputTokens).ToString(CultureInfo.InvariantCulture), await turn.Locator("[data-field=tokens]").GetAttributeAsync("data-value"));
            Assert.Equal(Usd(calls[i].CostUsd), await turn.Locator("[data-field=cost]").GetAttributeAsync("data-value"));
            Assert.Equal(calls[i].Model, await turn.Locator("[data-field=model]").InnerTextAsync());
        }
        Assert.Equal(1, await page.Locator("text=Can I get a refund?").CountAsync());
        Assert.Equal("lookup_order", await turns.Nth(0).Locator("[data-testid=tool-call] .tool-name").InnerTextAsync());
        Assert.Contains("429 rate limited", await turns.Nth(3).InnerTextAsync());

        // The prompt's markup is text on the page, never markup.
        Assert.Equal(Script, await turns.Nth(0).Locator("[data-role=user] pre.content").InnerTextAsync());
        Assert.Equal(0, await page.Locator("[data-testid=transcript] script, [data-testid=transcript] img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));

        // The pasted log is folded until opened.
        var folded = turns.Nth(2).Locator("details.folded");
        Assert.False(await folded.EvaluateAsync<bool>("d => d.open"));
        await folded.Locator("summary").ClickAsync();
        Assert.Contains("scanned at hub 40", await folded.Locator("pre.content").InnerTextAsync());

        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "session-transcript.png"), FullPage = true });

        await turns.Nth(1).Locator("[data-testid=transcript-trace-link]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=flame-graph]");
        Assert.Contains($"span={Uri.EscapeDataString(calls[1].Id)}", page.Url);
    }

    [Fact]
    public async Task ResponsesConversation_AndTheToggleBackToTheTimeline()
    {
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync($"/sessions/{Responses}?view=transcript");
        var texts = await page.Locator("[data-testid=transcript-message] pre.content").AllInnerTextsAsync();
        Assert.Equal(["Be terse.", "Where is order 43?", "Shipped yesterday.", "Thanks!", "You're welcome."], texts);

        await page.Locator("[data-testid=view-timeline]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=timeline]");
        Assert.Contains("view=timeline", page.Url);
        Assert.Equal(2, await page.Locator("[data-testid=timeline] > li").CountAsync());
    }

    [Fact]
    public async Task Compare_TickedInTheList_SideBySideWithFiguresFromTheSpans()
    {
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions");
        await page.Locator($"tr[data-session-id='{Support}'] [data-testid=compare-pick]").CheckAsync();
        await page.Locator($"tr[data-session-id='{Responses}'] [data-testid=compare-pick]").CheckAsync();
        await page.Locator("[data-testid=compare-button]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=compare-table]");
        Assert.Contains("/sessions/compare?", page.Url);

        var ids = await page.Locator("[data-testid=compare-session] a").EvaluateAllAsync<string[]>("a => a.map(e => e.title)");
        Assert.Equal(2, ids.Length);
        foreach (var (id, column) in ids.Select((id, i) => (id, i + 2)))
        {
            var calls = spans.Where(s => s.SessionId == id).OrderBy(s => s.Start).ToList();
            Assert.True(calls.Count > 0, $"column {column} names \"{id}\", which this test did not send");
            string Cell(string metric) => $"[data-testid=compare-table] tr[data-metric={metric}] > :nth-child({column})";
            Assert.Equal(Usd(calls.Sum(c => c.CostUsd)), await page.GetAttributeAsync(Cell("cost"), "data-value"));
            Assert.Equal(calls.Count.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync(Cell("turns"), "data-value"));
            Assert.Equal(calls.Count(c => c.Status == "error").ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync(Cell("errors"), "data-value"));
            var latencies = calls.Select(c => c.LatencyMs).Order().ToList();
            Assert.Equal(latencies[(int)Math.Ceiling(0.95 * latencies.Count) - 1].ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync(Cell("latency"), "data-p95"));
            Assert.Equal((id == Support ? 1 : 0).ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync(Cell("tool-calls"), "data-value"));
            var series = page.Locator($"[data-testid=compare-series][data-session-id='{id}']");
            Assert.Equal(Usd(calls.Sum(c => c.CostUsd)), await series.GetAttributeAsync("data-last"));
            Assert.Equal(calls.Count, (await series.Locator("polyline").GetAttributeAsync("points"))!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        // Aligned by turn: as many rows as the longer conversation, the shorter one ended after its last turn.
        var rows = page.Locator("[data-testid=aligned-transcripts] tbody tr");
        Assert.Equal(4, await rows.CountAsync());
        Assert.Equal(2, await page.Locator("[data-testid=aligned-transcripts] td.ended").CountAsync());
        Assert.Equal(Script, await rows.Nth(0).Locator("[data-role=user] pre.content").First.InnerTextAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));

        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder, "session-compare.png"), FullPage = true });
    }

    [Theory]
    [InlineData("ids=support-43", 400, "2 to 4")]
    [InlineData("ids=support-43,support-44,a,b,c", 400, "got 5")]
    [InlineData("ids=support-43,no-such-session", 404, "\"no-such-session\"")]
    public async Task Compare_WrongCountOrUnknownId_ExplainsWhat(string query, int status, string says)
    {
        var page = await browser.NewPageAsync(server.BaseUrl);
        var response = await page.GotoAsync($"/sessions/compare?{query}");
        Assert.Equal(status, response!.Status);
        Assert.Contains(says, await page.InnerTextAsync("[role=alert]"));
    }
}
