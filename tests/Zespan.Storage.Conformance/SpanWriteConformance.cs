using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>Writing spans: idempotent by span id, replacements move every figure, and session figures follow the contract.</summary>
public abstract class SpanWriteConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    [Fact]
    public async Task Write_DuplicateSpanId_CountsOnce()
    {
        var span = Llm("a", "s1", Day0 + Hour, inputTokens: 120, outputTokens: 30, costPico: 7_000);
        await WriteAsync(span);
        await WriteAsync(span);
        await WriteAsync(span, span); // the same id twice in one call, too

        var session = (await Store.Sessions.GetAsync(ProjectId, "s1"))!;
        Assert.Equal(1, session.Session.Turns);
        Assert.Equal(120, session.Session.InputTokens);
        Assert.Equal(30, session.Session.OutputTokens);
        Assert.Equal(7_000, session.Session.CostPico);
        Assert.Single(session.Timeline);
        var trace = (await Store.Traces.GetAsync(ProjectId, "trace-1"))!;
        Assert.Single(trace.Spans);
        var traceRow = Assert.Single((await Store.Traces.ListAsync(ProjectId, new())).Items);
        Assert.Equal(1, traceRow.SpanCount);
        var model = Assert.Single(await Store.Costs.ByModelAsync(ProjectId, TimeRange.All));
        Assert.Equal(1, model.Calls);
        Assert.Equal(7_000, model.CostPico);
        Assert.Equal(1, (await Store.Sessions.ListAsync(ProjectId, new SessionQuery())).TotalCount);
    }

    [Fact]
    public async Task Write_ReplacedSpan_MovesToItsNewSession()
    {
        await WriteAsync(Llm("a", "s1", Day0), Llm("b", "s1", Day0 + 5_000));
        await WriteAsync(Llm("a", "s2", Day0 + 60_000, userId: "u9"));

        var s1 = (await Store.Sessions.GetAsync(ProjectId, "s1"))!.Session;
        Assert.Equal(1, s1.Turns);
        Assert.Equal(Day0 + 5_000, s1.StartedMs);
        var s2 = (await Store.Sessions.GetAsync(ProjectId, "s2"))!.Session;
        Assert.Equal(1, s2.Turns);
        Assert.Equal("u9", s2.UserId);

        await WriteAsync(Llm("b", "s2", Day0 + 70_000));
        Assert.Null(await Store.Sessions.GetAsync(ProjectId, "s1"));
        Assert.Equal(2, (await Store.Sessions.GetAsync(ProjectId, "s2"))!.Session.Turns);
        Assert.Equal(1, (await Store.Sessions.ListAsync(ProjectId, new SessionQuery())).TotalCount);
    }

    [Fact]
    public async Task Write_ReplacedSpan_ChangesModelTokensCostAndStatus()
    {
        await WriteAsync(Llm("a", "s1", Day0 + Hour, model: "gpt-4o", inputTokens: 100, outputTokens: 10, costPico: 500));
        await WriteAsync(Llm("a", "s1", Day0 + Hour, model: "gpt-4o-mini", inputTokens: 40, outputTokens: 4, costPico: 90, status: SpanStatus.Error));

        var session = (await Store.Sessions.GetAsync(ProjectId, "s1"))!.Session;
        Assert.Equal((1, 40L, 4L, 90L, 1), (session.Turns, session.InputTokens, session.OutputTokens, session.CostPico, session.ErrorCount));
        var model = Assert.Single(await Store.Costs.ByModelAsync(ProjectId, TimeRange.All));
        Assert.Equal(("gpt-4o-mini", 1L, 90L, 40L, 1L), (model.Model, model.Calls, model.CostPico, model.InputTokens, model.Errors));
        var trace = Assert.Single((await Store.Traces.ListAsync(ProjectId, new())).Items);
        Assert.Equal((1, 90L, 44L, 1), (trace.LlmCalls, trace.CostPico, trace.TotalTokens, trace.ErrorCount));

        // Back to ok, now unpriced: the error and the cost disappear, the call counts as unpriced.
        await WriteAsync(Llm("a", "s1", Day0 + Hour, model: "mystery", costPico: null));
        session = (await Store.Sessions.GetAsync(ProjectId, "s1"))!.Session;
        Assert.Equal((0, 0L, 1), (session.ErrorCount, session.CostPico, session.UnpricedCalls));
        model = Assert.Single(await Store.Costs.ByModelAsync(ProjectId, TimeRange.All));
        Assert.Equal(("mystery", 1L, 0L, 1L), (model.Model, model.Calls, model.CostPico, model.UnpricedCalls));
    }

    [Fact]
    public async Task Write_LlmSpanReplacedByPlainSpan_LeavesTheSessionAndCosts()
    {
        await WriteAsync(Llm("a", "s1", Day0));
        await WriteAsync(Work("a", "trace-1", Day0) with { SessionId = "s1" });

        Assert.Null(await Store.Sessions.GetAsync(ProjectId, "s1"));
        Assert.Empty(await Store.Costs.ByModelAsync(ProjectId, TimeRange.All));
        var trace = Assert.Single((await Store.Traces.ListAsync(ProjectId, new())).Items);
        Assert.Equal((1, 0, 0L), (trace.SpanCount, trace.LlmCalls, trace.CostPico));
    }

    [Fact]
    public async Task Session_Figures_FollowTheContract()
    {
        // Three calls over two traces, out of order; one error, one unpriced; the earliest call has no user.
        await WriteAsync(
            Llm("c3", "conv", Day0 + 20_000, latencyMs: 3_000, inputTokens: 300, outputTokens: 30, costPico: null, userId: "late-user", traceId: "t2"),
            Llm("c1", "conv", Day0 + 1_000, latencyMs: 1_500, inputTokens: 100, outputTokens: 10, costPico: 1_000, traceId: "t1"),
            Llm("c2", "conv", Day0 + 4_000, latencyMs: 30_000, inputTokens: 200, outputTokens: 20, costPico: 2_000, userId: "alice", traceId: "t1", status: SpanStatus.Error),
            Work("w", "t1", Day0) with { SessionId = "conv", UserId = "root-user" });

        var detail = (await Store.Sessions.GetAsync(ProjectId, "conv"))!;
        var s = detail.Session;
        Assert.Equal(3, s.Turns); // the plain span is no turn
        Assert.Equal(Day0 + 1_000, s.StartedMs);
        Assert.Equal(Day0 + 34_000, s.EndedMs); // c2 ends last although c3 starts last
        Assert.Equal(33_000, s.DurationMs);
        Assert.Equal(3_000, s.CostPico);
        Assert.Equal(1, s.UnpricedCalls);
        Assert.Equal(600, s.InputTokens);
        Assert.Equal(60, s.OutputTokens);
        Assert.Equal(660, s.TotalTokens);
        Assert.Equal(1, s.ErrorCount);
        Assert.True(s.HasErrors);
        Assert.Equal((1_500 + 30_000 + 3_000) / 3.0, s.AvgLatencyMs);
        Assert.Equal("alice", s.UserId); // the earliest LLM call that has a user
        Assert.Equal(["c1", "c2", "c3"], detail.Timeline.Select(t => t.SpanId));
        Assert.Equal(["t1", "t1", "t2"], detail.Timeline.Select(t => t.TraceId));
        Assert.Null(detail.Timeline[2].CostPico);
        Assert.Equal("rate limited", detail.Timeline[1].Error);
    }

    [Fact]
    public async Task Session_UserTie_IsBrokenBySpanId()
    {
        await WriteAsync(Llm("b", "s", Day0, userId: "bob"));
        await WriteAsync(Llm("a", "s", Day0, userId: "ann"));
        await WriteAsync(Llm("c", "s", Day0, userId: "cid"));
        Assert.Equal("ann", (await Store.Sessions.GetAsync(ProjectId, "s"))!.Session.UserId);

        // The user's span moves later: the next earliest (ties by id) takes over.
        await WriteAsync(Llm("a", "s", Day0 + 1, userId: "ann"));
        Assert.Equal("bob", (await Store.Sessions.GetAsync(ProjectId, "s"))!.Session.UserId);
    }

    [Fact]
    public async Task Session_UserOfEarlierSpanArrivingLate_Wins()
    {
        await WriteAsync(Llm("x", "s", Day0 + 10_000, userId: "later"));
        await WriteAsync(Llm("y", "s", Day0 + 5_000));
        Assert.Equal("later", (await Store.Sessions.GetAsync(ProjectId, "s"))!.Session.UserId);
        await WriteAsync(Llm("z", "s", Day0 + 1_000, userId: "first"));
        Assert.Equal("first", (await Store.Sessions.GetAsync(ProjectId, "s"))!.Session.UserId);
    }

    [Fact]
    public async Task Session_AllCallsUnpriced_HasUnknownCost()
    {
        await WriteAsync(Llm("a", "s", Day0, costPico: null), Llm("b", "s", Day0 + 1, costPico: null));
        var s = (await Store.Sessions.GetAsync(ProjectId, "s"))!.Session;
        Assert.Equal(2, s.UnpricedCalls);
        Assert.True(s.CostUnknown);
    }

    [Fact]
    public async Task Span_PayloadsAndMetadata_AreStoredAsSent()
    {
        var prompt = "[{\"role\":\"user\",\"content\":\"" + new string('x', 1_000_000) + "\"}]";
        await WriteAsync(Llm("a", "s", Day0) with
        {
            InputJson = prompt,
            OutputJson = "{\"role\":\"assistant\",\"content\":\"hi ✓\"}",
            MetadataJson = "{\"feature\":\"chat\",\"n\":3}",
            Tags = ["beta", "eu"],
            Provider = "openai",
            ParentId = "root",
        });
        var span = Assert.Single((await Store.Traces.GetAsync(ProjectId, "trace-1"))!.Spans);
        Assert.Equal(prompt, span.InputJson);
        Assert.Equal("{\"role\":\"assistant\",\"content\":\"hi ✓\"}", span.OutputJson);
        Assert.Equal("{\"feature\":\"chat\",\"n\":3}", span.MetadataJson);
        Assert.Equal(["beta", "eu"], span.Tags);
        Assert.Equal(("root", "openai", 1_000_000L), (span.ParentId, span.Provider, span.CostPico));

        // A replacement without payloads removes the old ones.
        await WriteAsync(Llm("a", "s", Day0));
        span = Assert.Single((await Store.Traces.GetAsync(ProjectId, "trace-1"))!.Spans);
        Assert.Null(span.InputJson);
        Assert.Null(span.OutputJson);
    }

    [Fact]
    public async Task Span_CacheWrites_AreStoredAndReplacedLikeEveryTokenCount()
    {
        var call = Llm("a", "s", Day0, model: "claude-sonnet-4-5") with { Usage = new TokenUsage(10_000, 200, 6_000, 0, 3_000) };
        await WriteAsync(call);
        var span = Assert.Single((await Store.Traces.GetAsync(ProjectId, "trace-1"))!.Spans);
        Assert.Equal(call.Usage, span.Usage);
        Assert.Equal(call.Usage, Assert.Single((await Store.Sessions.GetAsync(ProjectId, "s"))!.Timeline).Usage);

        // A re-send that changes only the cache writes is a change, not a retry to skip.
        await WriteAsync(call with { Usage = call.Usage with { CacheCreationInputTokens = 0 } });
        Assert.Equal(0, Assert.Single((await Store.Traces.GetAsync(ProjectId, "trace-1"))!.Spans).Usage.CacheCreationInputTokens);
        Assert.Equal(0, Assert.Single((await Store.Sessions.GetAsync(ProjectId, "s"))!.Timeline).Usage.CacheCreationInputTokens);
    }

    [Fact]
    public async Task Span_TextOfEveryKind_IsStoredAsSent()
    {
        // Quotes, backslashes, control characters, non-ASCII and astral characters, HTML-sensitive characters, U+2028 and
        // DEL in every text a span carries: a backend that sends rows as JSON escapes only what JSON requires (ClickHouse's
        // writer does), so each must still come back exactly as sent.
        const string text = "q\"b\\s/ c\u0001\n\t é 中文 😀 <a href='x'>&amp;</a> +1 \u2028 \u007f";
        var payload = "[{\"role\":\"user\",\"content\":" + System.Text.Json.JsonSerializer.Serialize(text) + "}]";
        var metadata = "{\"feature\":" + System.Text.Json.JsonSerializer.Serialize(text) + "}";
        await WriteAsync(Llm("span " + text, "session " + text, Day0, userId: "user " + text, traceId: "trace " + text, status: SpanStatus.Error) with
        {
            Name = "name " + text,
            Error = "error " + text,
            InputJson = payload,
            OutputJson = payload,
            MetadataJson = metadata,
            Tags = ["tag " + text],
        });
        var span = Assert.Single((await Store.Traces.GetAsync(ProjectId, "trace " + text))!.Spans);
        Assert.Equal(("span " + text, "session " + text, "user " + text, "name " + text, "error " + text),
            (span.Id, span.SessionId, span.UserId, span.Name, span.Error));
        Assert.Equal((payload, payload, metadata), (span.InputJson, span.OutputJson, span.MetadataJson));
        Assert.Equal(["tag " + text], span.Tags);
        var session = (await Store.Sessions.GetAsync(ProjectId, "session " + text))!;
        Assert.Equal(("user " + text, payload), (session.Session.UserId, Assert.Single(session.Timeline).InputJson));
    }

    [Fact]
    public async Task SessionDetail_WithoutPayloads_IsTheSameTimelineWithoutPromptsAndCompletions()
    {
        await WriteAsync(
            Llm("b", "s", Day0 + 2_000, model: "gpt-4o-mini", status: SpanStatus.Error) with { InputJson = "[{\"role\":\"user\",\"content\":\"2\"}]" },
            Llm("a", "s", Day0 + 1_000, costPico: null) with { InputJson = "[{\"role\":\"user\",\"content\":\"1\"}]", OutputJson = "{\"content\":\"one\"}" },
            Llm("c", "s", Day0 + 3_000));

        var full = (await Store.Sessions.GetAsync(ProjectId, "s", withPayloads: true))!;
        var light = (await Store.Sessions.GetAsync(ProjectId, "s", withPayloads: false))!;
        Assert.Equal(["a", "b", "c"], full.Timeline.Select(t => t.SpanId));
        Assert.Equal("{\"content\":\"one\"}", full.Timeline[0].OutputJson);
        Assert.Equal("[{\"role\":\"user\",\"content\":\"2\"}]", full.Timeline[1].InputJson);
        Assert.Equal(full.Session, light.Session);
        Assert.Equal(full.Timeline.Select(t => t with { InputJson = null, OutputJson = null }), light.Timeline);
        Assert.All(light.Timeline, t => Assert.True(t.InputJson is null && t.OutputJson is null));
    }

    [Fact]
    public async Task ContentSentApart_FillsOnlyWhatACallLacks_InEveryPayloadRead()
    {
        static string Text(string who) => $"{{\"content\":\"{who}\"}}";
        // The content of b and c arrives before c does; a's and b's after them.
        await Store.SpanContent.AttachAsync([new SpanContent(ProjectId, "c", Text("c in, apart"), null)]);
        await WriteAsync(
            Llm("a", "s", Day0 + 1_000) with { InputJson = Text("a in"), OutputJson = Text("a out") },
            Llm("b", "s", Day0 + 2_000) with { InputJson = Text("b in") },
            Llm("c", "s", Day0 + 3_000));
        await Store.SpanContent.AttachAsync([
            new SpanContent(ProjectId, "a", Text("a in, apart"), Text("a out, apart")),
            new SpanContent(ProjectId, "b", Text("b in, apart"), Text("b out, apart")),
        ]);
        // A call's own payloads win; content sent apart fills only what it lacks.
        (string? In, string? Out)[] expected = [(Text("a in"), Text("a out")), (Text("b in"), Text("b out, apart")), (Text("c in, apart"), null)];

        var detail = (await Store.Sessions.GetAsync(ProjectId, "s", withPayloads: true))!;
        Assert.Equal(expected, detail.Timeline.Select(t => (t.InputJson, t.OutputJson)));
        var all = await Store.Sessions.GetPayloadsAsync(ProjectId, "s", null, withInputs: true);
        Assert.Equal(expected, new[] { "a", "b", "c" }.Select(id => (all[id].InputJson, all[id].OutputJson)));
        var asked = await Store.Sessions.GetPayloadsAsync(ProjectId, "s", ["c", "b"], withInputs: true);
        Assert.Equal(expected[1..], new[] { "b", "c" }.Select(id => (asked[id].InputJson, asked[id].OutputJson)));
        var spans = (await Store.Traces.GetAsync(ProjectId, "trace-1"))!.Spans.OrderBy(x => x.Id, StringComparer.Ordinal);
        Assert.Equal(expected, spans.Select(x => (x.InputJson, x.OutputJson)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ContentSentApart_NamesTheSession_AsTheCallsOwnInputWould(bool contentFirst)
    {
        // The earliest call has no input of its own; its content comes apart (an OTLP log record), before or after it.
        var content = new SpanContent(ProjectId, "first", "[{\"role\":\"user\",\"content\":\"Refund   my order\"}]", null);
        SpanRecord[] calls = [Llm("first", "s", Day0 + 500), Llm("later", "s", Day0 + 1_000) with { InputJson = "[{\"role\":\"user\",\"content\":\"Later question\"}]" }];
        if (contentFirst)
            await Store.SpanContent.AttachAsync([content]);
        await WriteAsync(calls);
        if (!contentFirst)
            await Store.SpanContent.AttachAsync([content]);

        Assert.Equal("Refund my order", (await Store.Sessions.GetAsync(ProjectId, "s"))!.Session.Name);
        Assert.Equal("Refund my order", Assert.Single((await Store.Sessions.ListAsync(ProjectId, new SessionQuery())).Items).Name);
    }

    [Fact]
    public async Task SessionPayloads_OfTheCallsAsked_PromptsOnlyWhenAsked()
    {
        await WriteAsync(
            Llm("b", "s", Day0 + 2_000) with { InputJson = "[{\"role\":\"user\",\"content\":\"2\"}]", OutputJson = "{\"content\":\"two\"}" },
            Llm("a", "s", Day0 + 1_000) with { InputJson = "[{\"role\":\"user\",\"content\":\"1\"}]", OutputJson = "{\"content\":\"one\"}" },
            Llm("c", "s", Day0 + 3_000),
            Llm("d", "other", Day0 + 1_000) with { OutputJson = "{\"content\":\"elsewhere\"}" });

        // Every call's completion, no prompt: what the pages count tool calls from.
        var completions = await Store.Sessions.GetPayloadsAsync(ProjectId, "s", null, withInputs: false);
        Assert.Equal(["a", "b", "c"], completions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["{\"content\":\"one\"}", "{\"content\":\"two\"}", null], completions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.OutputJson));
        Assert.All(completions.Values, p => Assert.Null(p.InputJson));

        // The prompts of the calls asked only: a page of the transcript.
        var page = await Store.Sessions.GetPayloadsAsync(ProjectId, "s", ["b", "c"], withInputs: true);
        Assert.Equal(["b", "c"], page.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new CallPayload("[{\"role\":\"user\",\"content\":\"2\"}]", "{\"content\":\"two\"}"), page["b"]);
        Assert.Equal(new CallPayload(null, null), page["c"]);
        Assert.Empty(await Store.Sessions.GetPayloadsAsync(ProjectId, "s", [], withInputs: true));
    }
}
