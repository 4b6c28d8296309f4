using Zespan.Core;
using Zespan.Core.Spans;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>Cost by model over any range (including ranges that cut through days) and cost over time.</summary>
public abstract partial class CostConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    /// <summary>LLM calls every 5 hours and 17 minutes over six days, in three models (one unpriced), with a few errors and no-model calls.</summary>
    private static List<SpanRecord> Seed()
    {
        var spans = new List<SpanRecord>();
        var models = new[] { "gpt-4o", "gpt-4o-mini", "mystery", null };
        for (var i = 0; i < 28; i++)
        {
            var model = models[i % 4];
            spans.Add(Llm($"c{i}", $"s{i % 5}", Day0 + i * (5 * Hour + 17 * 60_000), model: model,
                inputTokens: 100 + i, outputTokens: 10 + i, costPico: model is "mystery" or null ? null : 1_000 + i,
                status: i % 6 == 0 ? SpanStatus.Error : SpanStatus.Ok) with
            { Usage = new TokenUsage(100 + i, 10 + i, i, i % 3) });
        }
        spans.Add(Work("w", "trace-1", Day0 + Hour)); // plain spans cost nothing and are no calls
        return spans;
    }

    public static readonly TheoryData<long?, long?> Ranges = new()
    {
        { null, null },
        { Day0 + 10 * Hour + 123, Day0 + 3 * Day + 15 * Hour }, // cuts through the first and last day
        { Day0 + Day, Day0 + 4 * Day },                          // whole days only
        { Day0 + Day, Day0 + 4 * Day + 1 },                      // whole days plus one millisecond
        { Day0 + 2 * Day + Hour, Day0 + 2 * Day + 20 * Hour },   // inside one day
        { null, Day0 + 2 * Day + 7 * Hour },                     // open start
        { Day0 + Day + 1, null },                                // open end
        { Day0 - 10 * Day, Day0 - Day },                         // before everything
        { Day0 + 5 * Hour + 17 * 60_000, Day0 + 5 * Hour + 17 * 60_000 + 1 }, // exactly one call's start
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task ByModel_AnyRange_EqualsASumOverRawSpans(long? from, long? to)
    {
        var spans = Seed();
        await WriteAsync(ProjectId, spans);
        var actual = await Store.Costs.ByModelAsync(ProjectId, new TimeRange(from, to));
        Compare.Models(ReferenceFigures.Models(spans, from, to), actual, $"[{from}, {to})");
        Assert.Equal(actual.OrderByDescending(m => m.CostPico).ThenByDescending(m => m.Calls).Select(m => m.Model), actual.Select(m => m.Model));
    }

    [Fact]
    public async Task ByModel_AfterReplacementsAcrossDaysAndModels_StaysExact()
    {
        var spans = Seed();
        await WriteAsync(ProjectId, spans);
        // Move some calls to another day and model, make one a plain span, re-send others unchanged.
        var changed = new List<SpanRecord>
        {
            spans[3] with { StartMs = spans[3].StartMs + 2 * Day, EndMs = spans[3].EndMs + 2 * Day, Model = "gpt-4o", CostPico = 50 },
            spans[8] with { Kind = SpanKind.Span },
            spans[9] with { Model = "gpt-4o-mini", Status = SpanStatus.Error },
            spans[10], spans[11],
        };
        await WriteAsync(ProjectId, changed);
        var final = spans.Select(s => changed.LastOrDefault(c => c.Id == s.Id) ?? s).ToList();
        foreach (var (from, to) in new (long?, long?)[] { (null, null), (Day0 + 10 * Hour, Day0 + 3 * Day + 15 * Hour), (Day0 + Day, Day0 + 5 * Day) })
            Compare.Models(ReferenceFigures.Models(final, from, to), await Store.Costs.ByModelAsync(ProjectId, new TimeRange(from, to)), $"[{from}, {to})");
    }

    [Theory]
    [InlineData(Day, 0L, 6 * Day)]
    [InlineData(Day, 7 * Hour + 5, 4 * Day + 3 * Hour)]
    [InlineData(Hour, 30 * 60_000, 2 * Day)]
    [InlineData(Hour, 0L, 6 * Day)]
    public async Task OverTime_Buckets_EqualSumsOverRawSpans(long bucketMs, long fromOffset, long toOffset)
    {
        var spans = Seed();
        await WriteAsync(ProjectId, spans);
        var from = Day0 + fromOffset;
        var to = Day0 + toOffset;
        var buckets = await Store.Costs.OverTimeAsync(ProjectId, new Zespan.Core.TimeRange(from, to), bucketMs);

        var first = from - (from % bucketMs + bucketMs) % bucketMs;
        var expectedStarts = new List<long>();
        for (var start = first; start < to; start += bucketMs)
            expectedStarts.Add(start);
        Assert.Equal(expectedStarts, buckets.Select(b => b.StartMs));
        foreach (var bucket in buckets)
        {
            var calls = spans.Where(s => s.Kind == SpanKind.Llm && s.StartMs >= Math.Max(from, bucket.StartMs) && s.StartMs < Math.Min(to, bucket.StartMs + bucketMs)).ToList();
            Assert.True(calls.Count == bucket.Calls, $"bucket {bucket.StartMs}: calls {bucket.Calls}, expected {calls.Count}");
            Assert.Equal(calls.Sum(s => s.CostPico ?? 0), bucket.CostPico);
            Assert.Equal(calls.Sum(s => s.Usage.InputTokens + s.Usage.OutputTokens), bucket.TotalTokens);
        }
        Assert.Equal(spans.Count(s => s.Kind == SpanKind.Llm && s.StartMs >= from && s.StartMs < to), buckets.Sum(b => b.Calls));
    }

    /// <summary>
    /// Sessions placed around the cuts of partial hours: wholly after the left cut, wholly before it, across it; wholly
    /// before the right cut, wholly after it, across it, and one whose call starts before the cut and ends after it; a
    /// call of no session in each partial hour. A store that answers whole hours from per-session hourly figures must
    /// still split exactly the sessions that are active at a cut. Then a re-send moves a call across a cut and another
    /// into a session that lay wholly inside.
    /// </summary>
    [Fact]
    public async Task ByModel_SessionsAroundTheCutsOfPartialHours_EqualSumsOverRawSpans()
    {
        const long Minute = 60_000;
        var left = Day0 + 10 * Hour;
        var right = Day0 + 14 * Hour;
        long cost = 1_000;
        SpanRecord Call(string id, string? session, long startMs, long latencyMs = 1_000, string model = "gpt-4o") =>
            Llm(id, session, startMs, latencyMs: latencyMs, model: model, costPico: cost += 7);
        var spans = new List<SpanRecord>
        {
            Call("in-left-1", "in-left", left + 25 * Minute), Call("in-left-2", "in-left", left + 65 * Minute, model: "gpt-4o-mini"),
            Call("before-left-1", "before-left", left + 5 * Minute), Call("before-left-2", "before-left", left + 10 * Minute),
            Call("across-left-1", "across-left", left + 10 * Minute), Call("across-left-2", "across-left", left + 30 * Minute),
            Call("across-left-3", "across-left", left + 50 * Minute, model: "gpt-4o-mini"),
            Call("in-right-1", "in-right", right - 30 * Minute), Call("in-right-2", "in-right", right + 10 * Minute), Call("in-right-3", "in-right", right + 20 * Minute),
            Call("after-right-1", "after-right", right + 45 * Minute), Call("after-right-2", "after-right", right + 50 * Minute),
            Call("across-right-1", "across-right", right + 30 * Minute), Call("across-right-2", "across-right", right + 50 * Minute),
            Call("ends-after-1", "ends-after", right + 35 * Minute, latencyMs: 10 * Minute),
            Call("whole-hours", "middle", Day0 + 12 * Hour),
            Call("no-session-left", null, left + 40 * Minute), Call("no-session-right", null, right + 5 * Minute),
        };
        await WriteAsync(ProjectId, spans);
        (long From, long To)[] ranges =
        [
            (left + 20 * Minute, right + 40 * Minute),      // a partial hour at each end
            (left + 20 * Minute, left + 40 * Minute),       // inside one hour
            (left + 30 * Minute, left + 80 * Minute),       // across two hours, no whole hour
            (right + 10 * Minute, right + 35 * Minute + 1), // two cuts inside one hour, each crossed
        ];
        async Task CheckAsync(List<SpanRecord> expected, string when)
        {
            foreach (var (from, to) in ranges)
            {
                Compare.Models(ReferenceFigures.Models(expected, from, to), await Store.Costs.ByModelAsync(ProjectId, new TimeRange(from, to)), $"{when} [{from}, {to})");
                Assert.Equal(ReferenceFigures.Buckets(expected, from, to, Hour), await Store.Costs.OverTimeAsync(ProjectId, new TimeRange(from, to), Hour));
            }
        }
        await CheckAsync(spans, "as written");

        // "across-left-1" moves past the left cut; "in-left-1" moves into session in-right (which then spans both edges).
        var changed = new List<SpanRecord>
        {
            spans[4] with { StartMs = left + 35 * Minute, EndMs = left + 36 * Minute },
            spans[0] with { SessionId = "in-right" },
        };
        await WriteAsync(ProjectId, changed);
        await CheckAsync(spans.Select(s => changed.LastOrDefault(c => c.Id == s.Id) ?? s).ToList(), "after the re-sends");
    }

    /// <summary>
    /// Ten $1 M calls and one of $0.3 M, in one session, one model and one hour, sent in one batch: the writer's delta for that
    /// hour (and that session) is $10.3 M, past 2^63 picodollars. It wrapped to −$8.1 M in the hourly rollup; cost by model
    /// and cost over time must equal the recomputation from the raw spans exactly.
    /// </summary>
    [Fact]
    public async Task OneBatchPastTheSixtyFourBitBound_InOneHourAndModel_StaysExact()
    {
        const long MillionDollars = 1_000_000 * Money.PicoPerUsd;
        var spans = Enumerable.Range(0, 11)
            .Select(i => Llm($"whale-{i}", "whale-session", Day0 + 2 * Hour + i * 1_000L, model: "gpt-4o", costPico: i < 10 ? MillionDollars : 300_000 * Money.PicoPerUsd + 7))
            .ToList();
        await WriteAsync(ProjectId, spans);

        var total = ReferenceFigures.Models(spans)["gpt-4o"].CostPico;
        Assert.Equal((Int128)10_300_000 * Money.PicoPerUsd + 7, total);
        // Whole hours come from the hourly rollup, a cut hour from the raw spans: both paths.
        foreach (var (from, to) in new (long?, long?)[] { (null, null), (Day0, Day0 + Day), (Day0 + 2 * Hour + 500, Day0 + 3 * Hour) })
            Compare.Models(ReferenceFigures.Models(spans, from, to), await Store.Costs.ByModelAsync(ProjectId, new TimeRange(from, to)), $"[{from}, {to})");
        var bucket = Assert.Single(await Store.Costs.OverTimeAsync(ProjectId, new TimeRange(Day0 + 2 * Hour, Day0 + 3 * Hour), Hour));
        Assert.Equal((11L, total), (bucket.Calls, bucket.CostPico));

        // A changed re-send of one call takes its old cost out of the hour and puts the new one in, still exactly.
        var changed = spans[3] with { CostPico = MillionDollars + 1 };
        await WriteAsync(ProjectId, [changed]);
        var final = spans.Select(s => s.Id == changed.Id ? changed : s).ToList();
        Compare.Models(ReferenceFigures.Models(final, Day0, Day0 + Day), await Store.Costs.ByModelAsync(ProjectId, new TimeRange(Day0, Day0 + Day)), "after the re-send");
    }
}
