using Zespan.Core;
using Zespan.Core.Ingestion;
using Zespan.Core.Pricing;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// Random spans over many sessions and traces, written shuffled, with duplicates, corrections and late arrivals, checked at
/// several points against figures recomputed here from the spans last written. Costs are computed here from the contract's
/// formula with this file's own prices; the store receives the spans priced by Zespan's pricer, as ingestion does.
/// </summary>
public abstract class RandomizedConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    /// <summary>Picodollars per token (= USD per 1M tokens × 10^6): input, cached input, cache write, output.</summary>
    private static readonly Dictionary<string, (long Input, long Cached, long Written, long Output)> PicoPerToken = new()
    {
        ["gpt-4o"] = (2_500_000, 1_250_000, 2_500_000, 10_000_000),
        ["gpt-4o-mini"] = (150_000, 75_000, 150_000, 600_000),
        ["claude-3-5-sonnet"] = (3_000_000, 300_000, 3_750_000, 15_000_000),
    };

    /// <summary>The models spans name and the family whose price applies (null: no price).</summary>
    private static readonly (string? Model, string? Family)[] Models =
    [
        ("gpt-4o", "gpt-4o"), ("gpt-4o-2024-08-06", "gpt-4o"), ("gpt-4o-mini", "gpt-4o-mini"), ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"), ("mystery-model", null), (null, null),
    ];

    private static readonly ModelPriceTable TestPrices = new(
    [
        new ModelPrice("gpt-4o", 2.50m, 1.25m, 10.00m),
        new ModelPrice("gpt-4o-mini", 0.15m, 0.075m, 0.60m),
        new ModelPrice("claude-3-5-sonnet", 3.00m, 0.30m, 15.00m, CacheCreationInputPerMillion: 3.75m),
    ]);

    private sealed record Version(SpanRecord Expected, double? ClientCostUsd);

    private static readonly string[] GroupTags = ["beta", "eu", "z\U0001F600"];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2024)]
    [InlineData(31337)]
    public async Task RandomSpans_ShuffledDuplicatedCorrectedAndLate_EveryFigureMatchesRecomputation(int seed)
    {
        var random = new Random(seed);
        var sessions = Enumerable.Range(0, random.Next(25, 40)).Select(i => $"sess-{seed}-{i:00}").ToArray();
        var traces = Enumerable.Range(0, random.Next(6, 12)).Select(i => $"trace-{i:00}").ToArray();
        // A few shared start times force ties in start time (first span, earliest user).
        var sharedStarts = Enumerable.Range(0, 3).Select(_ => Day0 + random.NextInt64(3 * Day)).ToArray();
        var ids = Enumerable.Range(0, random.Next(200, 320)).Select(i => $"span-{random.Next(0x10000):x4}-{i}").ToList();

        // Every fourth session only ever gets unpriced calls, so users, tags and values made only of unpriced sessions occur.
        var unpricedOnly = sessions.Where((_, i) => i % 4 == 0).ToHashSet(StringComparer.Ordinal);

        Version NewVersion(string id)
        {
            var sessionId = random.NextDouble() < 0.1 ? null : sessions[random.Next(sessions.Length)];
            var (model, family) = Models[random.Next(Models.Length)];
            var isLlm = random.NextDouble() < 0.85;
            var onlyUnpriced = sessionId is not null && unpricedOnly.Contains(sessionId);
            if (onlyUnpriced)
                (model, family) = ("mystery-model", null);
            var start = random.NextDouble() < 0.3 ? sharedStarts[random.Next(sharedStarts.Length)] : Day0 + random.NextInt64(3 * Day);
            var input = random.NextInt64(0, 5_000);
            var output = random.NextInt64(0, 2_000);
            var cached = random.NextInt64(0, input + 1);
            var usage = isLlm
                ? new TokenUsage(input, output, cached, random.NextInt64(0, output + 1), random.NextDouble() < 0.3 ? random.NextInt64(0, input - cached + 1) : 0)
                : default;
            long? clientMicroUsd = !onlyUnpriced && random.NextDouble() < 0.1 ? random.Next(0, 50_000) : null;
            var status = random.NextDouble() < 0.15 ? SpanStatus.Error : SpanStatus.Ok;
            var span = new SpanRecord
            {
                Id = id,
                TraceId = traces[random.Next(traces.Length)],
                ParentId = random.NextDouble() < 0.3 ? null : ids[random.Next(ids.Count)],
                SessionId = sessionId,
                UserId = random.NextDouble() < 0.5 ? null : onlyUnpriced && random.NextDouble() < 0.5 ? "user-unpriced" : $"user-{random.Next(5)}",
                Name = isLlm ? "chat.completions.create" : $"step-{random.Next(4)}",
                Kind = isLlm ? SpanKind.Llm : SpanKind.Span,
                Model = isLlm ? model : null,
                StartMs = start,
                EndMs = start + random.NextInt64(0, 60_000),
                Usage = usage,
                Status = status,
                Error = status == SpanStatus.Error ? "boom" : null,
                CostPico = ExpectedCostPico(isLlm, isLlm ? family : null, usage, clientMicroUsd),
                // Names in mixed case with the characters LIKE treats as wildcards, for the q= search.
                SessionName = isLlm && random.NextDouble() < 0.1 ? $"Refund {random.Next(100)}% Off_{(char)('a' + random.Next(26))}Order" : null,
            };
            // Tags and two metadata keys, the unpriced-only sessions with values of their own ("u…") and shared ones; a few
            // values each, so the 16-values-per-key cap is never reached.
            var tags = GroupTags.Where(_ => random.NextDouble() < 0.3).ToList();
            if (onlyUnpriced && random.NextDouble() < 0.5)
                tags.Add("unpriced-only");
            span = span.WithTags([.. tags]);
            var metadata = new List<(string, string)>();
            if (random.NextDouble() < 0.6)
                metadata.Add(("feature", onlyUnpriced && random.NextDouble() < 0.5 ? $"u{random.Next(2)}" : $"f{random.Next(3)}"));
            if (random.NextDouble() < 0.3)
                metadata.Add(("plan", random.Next(2) == 0 ? "free" : "pro"));
            if (metadata.Count > 0)
                span = span.WithMetadata([.. metadata]);
            return new Version(span, clientMicroUsd is { } micro ? micro / 1_000_000.0 : null);
        }

        // A correction of what the session and trace only sum (usage, cost, model, status, error), the rest kept: the
        // writer applies it in place, without a rebuild (SumOnlyReplacement).
        Version SumsOnly(Version v)
        {
            var span = v.Expected;
            if (span.Kind != SpanKind.Llm)
                return new Version(span with { Status = span.Status == SpanStatus.Ok ? SpanStatus.Error : SpanStatus.Ok, Error = span.Status == SpanStatus.Ok ? "late boom" : null }, v.ClientCostUsd);
            var (model, family) = span.Model == "mystery-model" ? ("mystery-model", null) : Models[random.Next(Models.Length)];
            var usage = new TokenUsage(random.NextInt64(0, 5_000), random.NextInt64(0, 2_000), 0, 0);
            long? clientMicroUsd = model != "mystery-model" && random.NextDouble() < 0.1 ? random.Next(0, 50_000) : null;
            var status = random.NextDouble() < 0.15 ? SpanStatus.Error : SpanStatus.Ok;
            return new Version(span with
            {
                Model = model,
                Usage = usage,
                Status = status,
                Error = status == SpanStatus.Error ? "boom" : null,
                CostPico = ExpectedCostPico(true, family, usage, clientMicroUsd),
            }, clientMicroUsd is { } micro ? micro / 1_000_000.0 : null);
        }

        // Every id once, a quarter re-sent unchanged, a fifth corrected (once or twice) with new values — half of those
        // in their sums only.
        var events = new List<Version>();
        var firstVersions = ids.ToDictionary(id => id, NewVersion);
        events.AddRange(firstVersions.Values);
        foreach (var id in ids)
        {
            if (random.NextDouble() < 0.25)
                events.Add(firstVersions[id]);
            var corrections = random.NextDouble() < 0.2 ? random.Next(1, 3) : 0;
            for (var c = 0; c < corrections; c++)
                events.Add(random.NextDouble() < 0.5 ? SumsOnly(firstVersions[id]) : NewVersion(id));
        }
        events = events.OrderBy(_ => random.Next()).ToList();

        var pricer = new SpanPricer(new PriceResolver(TestPrices));
        var written = new Dictionary<string, SpanRecord>(StringComparer.Ordinal);
        var position = 0;
        // Three checkpoints: after 60 %, after 85 % and at the end; what arrives after a checkpoint is a late arrival.
        foreach (var checkpoint in new[] { events.Count * 60 / 100, events.Count * 85 / 100, events.Count })
        {
            while (position < checkpoint)
            {
                var batch = events.Skip(position).Take(Math.Min(random.Next(1, 80), checkpoint - position)).ToList();
                position += batch.Count;
                var priced = batch.Select(v => pricer.Price(new ParsedSpan(v.Expected with { CostPico = null }, v.ClientCostUsd), null).Span!).ToList();
                for (var i = 0; i < batch.Count; i++)
                    Assert.True(batch[i].Expected.CostPico == priced[i].CostPico,
                        $"span {batch[i].Expected.Id} ({batch[i].Expected.Model}): priced {priced[i].CostPico}, formula gives {batch[i].Expected.CostPico}");
                await WriteAsync(ProjectId, priced);
                foreach (var version in batch)
                    written[version.Expected.Id] = version.Expected; // the last write wins
            }
            await VerifyAsync(written.Values.ToList(), $"seed {seed}, after {position}/{events.Count} writes");
            await VerifyEveryFilterDimensionAsync(random, written.Values.ToList(), $"seed {seed}, after {position}/{events.Count} writes");
        }
    }

    /// <summary>
    /// The contract's cost, extended by cache writes: uncached input, cached input, input written to the cache and output
    /// tokens at their prices, unless the client sent a cost.
    /// </summary>
    private static long? ExpectedCostPico(bool isLlm, string? family, TokenUsage usage, long? clientMicroUsd)
    {
        if (clientMicroUsd is { } micro)
            return micro * 1_000_000;
        if (!isLlm || family is null)
            return null;
        var price = PicoPerToken[family];
        var uncached = usage.InputTokens - usage.CachedInputTokens - usage.CacheCreationInputTokens;
        return uncached * price.Input + usage.CachedInputTokens * price.Cached + usage.CacheCreationInputTokens * price.Written + usage.OutputTokens * price.Output;
    }

    private async Task VerifyAsync(List<SpanRecord> spans, string context)
    {
        var expectedSessions = ReferenceFigures.Sessions(spans);
        var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Limit = 500, Sort = SessionSort.StartedAt, Descending = false });
        Assert.Equal(expectedSessions.Count, page.TotalCount);
        Assert.Equal(expectedSessions.Keys.Order(StringComparer.Ordinal), page.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
        foreach (var row in page.Items)
            Compare.Session(expectedSessions[row.SessionId], row, context);

        // The detail view agrees with the list and lists the session's calls in order.
        foreach (var sessionId in expectedSessions.Keys.Take(5))
        {
            var detail = (await Store.Sessions.GetAsync(ProjectId, sessionId))!;
            Compare.Session(expectedSessions[sessionId], detail.Session, context + " (detail)");
            var calls = spans.Where(s => s.SessionId == sessionId && s.Kind == SpanKind.Llm)
                .OrderBy(s => s.StartMs).ThenBy(s => s.Id, StringComparer.Ordinal).Select(s => s.Id);
            Assert.Equal(calls, detail.Timeline.Select(t => t.SpanId));
            var stored = spans.ToDictionary(s => s.Id, StringComparer.Ordinal);
            foreach (var call in detail.Timeline)
                Assert.True(call.Usage == stored[call.SpanId].Usage, $"{context}: call {call.SpanId} has {call.Usage}, was written with {stored[call.SpanId].Usage}");
        }

        var expectedTraces = ReferenceFigures.Traces(spans);
        var tracePage = await Store.Traces.ListAsync(ProjectId, new TraceQuery { Limit = 500 });
        Assert.Equal(expectedTraces.Count, tracePage.TotalCount);
        Assert.Equal(expectedTraces.Keys.Order(StringComparer.Ordinal), tracePage.Items.Select(t => t.TraceId).Order(StringComparer.Ordinal));
        foreach (var row in tracePage.Items)
            Compare.Trace(expectedTraces[row.TraceId], row, context);
        // Each trace's detail: exactly its spans' newest versions, in start order (ties by span id).
        foreach (var traceId in expectedTraces.Keys.Order(StringComparer.Ordinal).Take(40))
        {
            var detail = await Store.Traces.GetAsync(ProjectId, traceId);
            Assert.True(detail is not null, $"{context}: trace {traceId} has no detail");
            Assert.Equal(spans.Where(s => s.TraceId == traceId).OrderBy(s => s.StartMs).ThenBy(s => s.Id, StringComparer.Ordinal).Select(s => s.Id), detail.Spans.Select(s => s.Id));
        }

        foreach (var (from, to) in new (long?, long?)[] { (null, null), (Day0 + 7 * Hour + 3, Day0 + 2 * Day + 5 * Hour), (Day0 + Day, Day0 + 2 * Day) })
            Compare.Models(ReferenceFigures.Models(spans, from, to), await Store.Costs.ByModelAsync(ProjectId, new TimeRange(from, to)), $"{context} [{from}, {to})");
        // Cost over time per hour and per day, over ranges with partial hours at both ends and over whole days.
        foreach (var (from, to, bucket) in new[] { (Day0 + 7 * Hour + 3, Day0 + 2 * Day + 5 * Hour + 11, Hour), (Day0 - Day, Day0 + 4 * Day, Day), (Day0 + Hour / 3, Day0 + 3 * Day - 1, Day) })
            Assert.Equal(ReferenceFigures.Buckets(spans, from, to, bucket), await Store.Costs.OverTimeAsync(ProjectId, new TimeRange(from, to), bucket));

        // Breakdowns: all time (rollups and all-time user totals) and windows cutting hours (rollups plus the partial hours).
        foreach (var (from, to) in new (long?, long?)[] { (null, null), (Day0 + 7 * Hour + 3, Day0 + 2 * Day + 5 * Hour), (Day0 + Day, Day0 + 2 * Day), (Day0 + Hour / 2, Day0 + Hour) })
        {
            var filter = new SessionFilter { FromMs = from, ToMs = to };
            foreach (var (by, grouping) in new (string, SessionGrouping)[] { ("userId", new SessionGrouping.ByUser()), ("tag", new SessionGrouping.ByTag()), ("feature", new SessionGrouping.ByMetadata("feature")) })
                Compare.Breakdown(ReferenceFigures.Breakdown(spans, by, from, to), await Store.Sessions.BreakdownAsync(ProjectId, grouping, filter, 500), $"{context} by {by} [{from}, {to})");
        }

        var stats = await Store.Sessions.StatsAsync(ProjectId, SessionFilter.None);
        Assert.Equal(expectedSessions.Values.Sum(s => s.CostPico), stats.TotalCostPico);
        Assert.Equal(expectedSessions.Values.Sum(s => (long)s.Turns), stats.TotalTurns);
        var priced = expectedSessions.Values.Where(s => s.UnpricedCalls < s.Turns).Select(s => s.CostPico).Order().ToList();
        Assert.Equal(ReferenceFigures.Median(priced), stats.MedianCostPico);
        Assert.Equal(ReferenceFigures.NearestRank(priced, 0.95), stats.P95CostPico);
    }

    /// <summary>
    /// Every combination of the filter dimensions (enumerated from the enums, so a new dimension is included by itself),
    /// each with random values: the list (count, rows, a first page in a random order), the stats, the breakdowns by user,
    /// tag and metadata and the traces list, all against the same filter applied to figures recomputed from the spans.
    /// </summary>
    private async Task VerifyEveryFilterDimensionAsync(Random random, List<SpanRecord> spans, string context)
    {
        var sessions = ReferenceFigures.Sessions(spans);
        var traces = ReferenceFigures.Traces(spans);
        var data = new FilterDimensionCases.Data(sessions.Values, traces.Values, spans);
        foreach (var dimensions in FilterDimensionCases.Combinations<SessionDimensions>())
        {
            var filter = FilterDimensionCases.RandomSessionFilter(random, data, dimensions);
            var where = $"{context}, {dimensions}: {filter}";
            var expected = sessions.Values.Where(s => FilterDimensionCases.Keeps(filter, s)).ToList();

            var all = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = filter, Limit = SessionQuery.MaxLimit, Descending = false });
            Assert.True(expected.Count == all.TotalCount, $"{where}: totalCount {all.TotalCount}, recomputed {expected.Count}");
            Assert.Equal(expected.Select(s => s.SessionId).Order(StringComparer.Ordinal), all.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));

            var sort = (SessionSort)random.Next(Enum.GetValues<SessionSort>().Length);
            var descending = random.Next(2) == 0;
            var first = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = filter, Sort = sort, Descending = descending, Limit = 5 });
            var ordered = descending
                ? expected.OrderByDescending(s => SortValue(s, sort)).ThenByDescending(s => s.SessionId, StringComparer.Ordinal)
                : expected.OrderBy(s => SortValue(s, sort)).ThenBy(s => s.SessionId, StringComparer.Ordinal);
            Assert.True(ordered.Take(5).Select(s => s.SessionId).SequenceEqual(first.Items.Select(s => s.SessionId)),
                $"{where}, sort {sort} {(descending ? "desc" : "asc")}: first page differs");

            var stats = await Store.Sessions.StatsAsync(ProjectId, filter);
            var priced = expected.Where(s => s.UnpricedCalls < s.Turns).Select(s => s.CostPico).Order().ToList();
            Assert.True((expected.Count, expected.Aggregate(Int128.Zero, (sum, s) => sum + s.CostPico), expected.Sum(s => (long)s.Turns), expected.Count(s => s.ErrorCount > 0),
                    expected.Sum(s => (long)s.UnpricedCalls), ReferenceFigures.Median(priced), ReferenceFigures.NearestRank(priced, 0.95))
                == (stats.Sessions, stats.TotalCostPico, stats.TotalTurns, stats.SessionsWithErrors, stats.UnpricedCalls, stats.MedianCostPico, stats.P95CostPico),
                $"{where}: stats {stats}");

            foreach (var (by, grouping) in new (string, SessionGrouping)[] { ("userId", new SessionGrouping.ByUser()), ("tag", new SessionGrouping.ByTag()), ("plan", new SessionGrouping.ByMetadata("plan")) })
            {
                var limit = random.Next(1, 8);
                var groups = await Store.Sessions.BreakdownAsync(ProjectId, grouping, filter, limit);
                var recomputed = ReferenceFigures.Top(ReferenceFigures.Breakdown(spans, expected, by), limit);
                Assert.True(recomputed.SequenceEqual(groups),
                    $"{where}, breakdown {grouping} limit {limit}:\n  store      {string.Join("; ", groups)}\n  recomputed {string.Join("; ", recomputed)}");
            }
        }

        foreach (var dimensions in FilterDimensionCases.Combinations<TraceDimensions>())
        {
            var query = FilterDimensionCases.RandomTraceQuery(random, data, dimensions);
            var expected = traces.Values.Where(t => FilterDimensionCases.Keeps(query, t, spans.Where(s => s.TraceId == t.TraceId).ToList())).ToList();
            var page = await Store.Traces.ListAsync(ProjectId, query);
            Assert.True(expected.Count == page.TotalCount, $"{context}, {dimensions}: {query}: totalCount {page.TotalCount}, recomputed {expected.Count}");
            Assert.Equal(expected.OrderByDescending(t => t.StartedMs).ThenByDescending(t => t.TraceId, StringComparer.Ordinal).Select(t => t.TraceId),
                page.Items.Select(t => t.TraceId));
        }
    }

    /// <summary>The value a session sorts by, recomputed from its spans (the session id breaks ties).</summary>
    public static Int128 SortValue(ExpectedSession s, SessionSort sort) => sort switch
    {
        SessionSort.StartedAt => s.StartedMs,
        SessionSort.DurationMs => s.DurationMs,
        SessionSort.Turns => s.Turns,
        SessionSort.CostUsd => s.UnpricedCalls == s.Turns ? (Int128)1 << 64 : s.CostPico, // an unknown cost sorts above every known one
        SessionSort.TotalTokens => s.TotalTokens,
        SessionSort.ErrorCount => s.ErrorCount,
        SessionSort.ActiveDurationMs => s.ActiveMs,
        SessionSort.IdleGapCount => s.IdleGaps,
        _ => throw new ArgumentOutOfRangeException(nameof(sort), $"No reference order for {sort}: add it here."),
    };
}
