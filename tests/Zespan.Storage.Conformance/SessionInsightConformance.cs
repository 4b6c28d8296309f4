using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Spans;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// Session-grain trends and anomalies against figures recomputed here from the raw spans last written (duplicates,
/// corrections and late spans included), with the documented definitions written out again independently.
/// </summary>
public abstract class SessionInsightConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    private static readonly string[] TagPool = ["chat", "agent", "beta"];
    private static readonly string[] FeaturePool = ["support-chat", "search", "summarize"];

    [Theory]
    [InlineData(3)]
    [InlineData(19)]
    [InlineData(2027)]
    public async Task Timeseries_MatchesRecomputationFromRawSpans_ThroughResendsCorrectionsAndLateSpans(int seed)
    {
        var random = new Random(seed);
        var sessions = Enumerable.Range(0, random.Next(40, 60)).Select(i => $"s{seed}-{i:00}").ToArray();
        var ids = Enumerable.Range(0, random.Next(250, 350)).Select(i => $"span-{i}").ToList();
        SpanRecord NewVersion(string id)
        {
            var start = Day0 + random.NextInt64(9 * Day); // more than a week, so weekly buckets hold several days
            var session = random.Next(sessions.Length);
            // Every sixth session uses only models with no price: whole sessions of unknown cost, never $0.
            var span = Llm(id, sessions[session], start, latencyMs: random.Next(100, 5_000),
                inputTokens: random.Next(0, 4_000), outputTokens: random.Next(0, 1_000),
                costPico: session % 6 == 0 || random.NextDouble() < 0.15 ? null : random.NextInt64(0, 5_000_000),
                status: random.NextDouble() < 0.1 ? SpanStatus.Error : SpanStatus.Ok);
            if (random.NextDouble() < 0.6)
                span = span.WithTags(TagPool.Where(_ => random.NextDouble() < 0.5).ToArray());
            if (random.NextDouble() < 0.7)
                span = span.WithMetadata(("feature", FeaturePool[random.Next(FeaturePool.Length)]));
            return span;
        }

        var events = ids.Select(NewVersion).ToList();
        foreach (var id in ids.ToList())
        {
            if (random.NextDouble() < 0.25)
                events.Add(events.First(e => e.Id == id)); // re-sent unchanged
            if (random.NextDouble() < 0.15)
                events.Add(NewVersion(id));                // corrected: new session, time, cost or tags
        }
        events = events.OrderBy(_ => random.Next()).ToList();
        var written = new Dictionary<string, SpanRecord>(StringComparer.Ordinal);
        var position = 0;
        foreach (var checkpoint in new[] { events.Count * 70 / 100, events.Count }) // what comes after 70 % is late
        {
            while (position < checkpoint)
            {
                var batch = events.Skip(position).Take(Math.Min(random.Next(1, 60), checkpoint - position)).ToList();
                position += batch.Count;
                await WriteAsync(ProjectId, batch);
                foreach (var span in batch)
                    written[span.Id] = span;
            }
            await VerifyTimeseriesAsync(written.Values.ToList(), $"seed {seed}, after {position}/{events.Count}");
        }

        // Retention removes the spans of the first four days in small batches: sessions shrink, move their start or go.
        var cutoff = Day0 + 4 * Day + random.NextInt64(Day);
        await Store.Retention.DeleteSpansStartedBeforeAsync(ProjectId, cutoff, random.Next(3, 40));
        foreach (var old in written.Values.Where(s => s.StartMs < cutoff).ToList())
            written.Remove(old.Id);
        await VerifyTimeseriesAsync(written.Values.ToList(), $"seed {seed}, after retention before {cutoff}");
    }

    /// <summary>
    /// Daily and weekly buckets are answered from rollups (cost bands, hourly counts): sessions on either side of midnight,
    /// sessions with no priced call, equal costs, costs across band edges (99, 100, 999, 1,000 …) and late spans that move
    /// a session's start into another day or make an unpriced session priced must all agree with the raw spans.
    /// </summary>
    [Fact]
    public async Task Timeseries_BucketEdges_UnpricedSessions_Ties_AndLateSpansMovingTheStart()
    {
        var spans = new List<SpanRecord>();
        var n = 0;
        async Task Write(params SpanRecord[] batch)
        {
            await WriteAsync(ProjectId, batch);
            foreach (var span in batch)
            {
                spans.RemoveAll(s => s.Id == span.Id);
                spans.Add(span);
            }
        }
        SpanRecord Call(string session, long startMs, long? costPico) => Llm($"e{n++}", session, startMs, costPico: costPico, traceId: $"t-{session}");

        await Write(
            Call("last-ms-of-day-0", Day0 + Day - 1, 1_000),
            Call("first-ms-of-day-1", Day0 + Day, 1_000),
            Call("first-ms-of-day-0", Day0, 1_000),
            Call("unpriced", Day0 + 2 * Day + Hour, null),
            Call("unpriced", Day0 + 2 * Day + 2 * Hour, null),
            Call("half-priced", Day0 + 2 * Day + 3 * Hour, null),
            Call("half-priced", Day0 + 2 * Day + 4 * Hour, 7_000),
            Call("mover", Day0 + 4 * Day + 10 * Hour, 123_456));
        long[] bandEdges = [0, 5, 99, 99, 100, 101, 109, 110, 999, 1_000, 1_000, 1_000, 9_999, 10_000, 12_345_678, 12_399_999, 12_400_000, 5_000_000_000_000];
        for (var i = 0; i < bandEdges.Length; i++)
            await Write(Call($"band-{i}", Day0 + 3 * Day + i * Hour, bandEdges[i]));
        await VerifyTimeseriesAsync(spans, "before the late spans");

        // Late spans: "mover" now starts the day before; "unpriced" gets a priced call; a re-send changes nothing.
        await Write(Call("mover", Day0 + 3 * Day + 23 * Hour, 10));
        await Write(Call("unpriced", Day0 + 2 * Day + 5 * Hour, 42));
        await Write(spans.First(s => s.SessionId == "band-3"));
        await VerifyTimeseriesAsync(spans, "after the late spans");

        // A correction moves the last session of day 0 across midnight into day 1 (same span id, new start).
        var last = spans.First(s => s.SessionId == "last-ms-of-day-0");
        await Write(last with { StartMs = Day0 + Day + 1, EndMs = Day0 + Day + 1_001 });
        await VerifyTimeseriesAsync(spans, "after the correction");
    }

    private async Task VerifyTimeseriesAsync(List<SpanRecord> spans, string context)
    {
        var reader = Store.SessionKinds ?? throw new InvalidOperationException("This backend has no session kind reader.");
        var expected = ReferenceFigures.Sessions(spans);
        var kinds = new Dictionary<string, (HashSet<string> Tags, HashSet<string> Features)>();
        foreach (var s in expected.Keys)
        {
            var calls = spans.Where(x => x.SessionId == s && x.Kind == SpanKind.Llm).ToList();
            kinds[s] = (calls.SelectMany(c => c.Tags).ToHashSet(),
                calls.Where(c => c.MetadataValues.ContainsKey("feature")).Select(c => c.MetadataValues["feature"]).ToHashSet());
        }

        var cases = new (BucketSize Size, long From, long To, SessionGrouping? By, SessionFilter Extra)[]
        {
            (BucketSize.Day, Day0, Day0 + 9 * Day, null, SessionFilter.None),
            (BucketSize.Hour, Day0 + Day + 5 * Hour + 17, Day0 + 2 * Day + 3 * Hour, null, SessionFilter.None),
            (BucketSize.Week, Day0 - 3 * Day, Day0 + 10 * Day, null, SessionFilter.None),
            (BucketSize.Day, Day0, Day0 + 9 * Day, new SessionGrouping.ByTag(), SessionFilter.None),
            (BucketSize.Day, Day0, Day0 + 9 * Day, new SessionGrouping.ByMetadata("feature"), SessionFilter.None),
            (BucketSize.Day, Day0, Day0 + 9 * Day, null, new SessionFilter { Status = SessionStatusFilter.Error }),
            (BucketSize.Day, Day0, Day0 + 9 * Day, new SessionGrouping.ByTag(), new SessionFilter { MinTurns = 6, Status = SessionStatusFilter.Ok }),
        };
        foreach (var (size, from, to, by, extra) in cases)
        {
            var buckets = TimeBuckets.Covering(size, from, to);
            var label = $"{context}, {size} [{from}, {to}) by {SessionKinds.ByText(by)} status {extra.Status} minTurns {extra.MinTurns}";
            var actual = await reader.TimeseriesAsync(ProjectId, extra with { FromMs = buckets.FromMs, ToMs = buckets.ToMs }, by, buckets, 50);

            // Reference: every session matching the filter, in each of its kinds (null when it has none).
            var rows = new List<(string? Kind, ExpectedSession Session)>();
            foreach (var s in expected.Values.Where(s => s.StartedMs >= buckets.FromMs && s.StartedMs < buckets.ToMs
                         && (extra.Status != SessionStatusFilter.Error || s.ErrorCount > 0)
                         && (extra.Status != SessionStatusFilter.Ok || s.ErrorCount == 0)
                         && (extra.MinTurns is null || s.Turns >= extra.MinTurns)))
            {
                IEnumerable<string> values = by switch { null => [], SessionGrouping.ByTag => kinds[s.SessionId].Tags, _ => kinds[s.SessionId].Features };
                var list = values.ToList();
                if (by is null || list.Count == 0)
                    rows.Add((null, s));
                else
                    rows.AddRange(list.Select(v => ((string?)v, s)));
            }
            var expectedKinds = rows.GroupBy(r => r.Kind).ToDictionary(g => g.Key ?? "\0", g => g.Select(r => r.Session).ToList());
            if (by is null && expectedKinds.Count == 0)
                expectedKinds["\0"] = [];
            Assert.True(expectedKinds.Count == actual.Series.Count, $"{label}: {actual.Series.Count} series, expected {expectedKinds.Count}");
            foreach (var series in actual.Series)
            {
                var members = expectedKinds[series.Kind ?? "\0"];
                Assert.True(members.Count == series.Sessions, $"{label} kind {series.Kind}: {series.Sessions} sessions, expected {members.Count}");
                Assert.Equal(buckets.Count, series.Buckets.Count);
                for (var i = 0; i < buckets.Count; i++)
                {
                    var start = buckets.StartOf(i);
                    var end = start + buckets.WidthMs;
                    var inBucket = members.Where(s => s.StartedMs >= start && s.StartedMs < end).ToList();
                    var priced = inBucket.Where(s => s.UnpricedCalls < s.Turns).Select(s => s.CostPico).Order().ToList();
                    var turns = inBucket.Select(s => (long)s.Turns).Order().ToList();
                    var b = series.Buckets[i];
                    var where = $"{label} kind {series.Kind} bucket {start}";
                    Assert.True(start == b.StartMs, where);
                    Assert.True(inBucket.Count == b.Sessions, $"{where}: sessions {b.Sessions}, expected {inBucket.Count}");
                    Assert.True(priced.Count == b.PricedSessions, $"{where}: priced {b.PricedSessions}, expected {priced.Count}");
                    Assert.True(inBucket.Sum(s => s.CostPico) == b.CostPico, $"{where}: cost {b.CostPico}");
                    Assert.Equal(inBucket.Count > 0 && priced.Count == 0, b.CostUnknown);
                    Assert.Equal(priced.Count == 0 ? null : ReferenceFigures.Median(priced), b.MedianCostPico);
                    Assert.Equal(priced.Count == 0 ? null : ReferenceFigures.NearestRank(priced, 0.95), b.P95CostPico);
                    Assert.Equal(priced.Count == 0 ? null : (double)((decimal)priced.Sum() / priced.Count), b.MeanCostPico); // the exact mean, rounded once
                    Assert.Equal(turns.Sum(), b.Turns);
                    Assert.Equal(turns.Count == 0 ? null : ReferenceFigures.NearestRank(turns, 0.95), b.P95Turns);
                    Assert.Equal(inBucket.Count(s => s.ErrorCount > 0), b.SessionsWithErrors);
                }
            }
        }

        // The whole-project daily series agrees with the sessions list's own stats over the same range.
        var days = TimeBuckets.Covering(BucketSize.Day, Day0, Day0 + 9 * Day);
        var whole = (await reader.TimeseriesAsync(ProjectId, new SessionFilter { FromMs = days.FromMs, ToMs = days.ToMs }, null, days, 1)).Series[0];
        var stats = await Store.Sessions.StatsAsync(ProjectId, new SessionFilter { FromMs = days.FromMs, ToMs = days.ToMs });
        Assert.Equal(stats.Sessions, whole.Sessions);
        Assert.Equal(stats.TotalCostPico, whole.Buckets.Aggregate(Int128.Zero, (sum, b) => sum + b.CostPico));
        Assert.Equal(stats.PricedSessions, whole.Buckets.Sum(b => b.PricedSessions));
        Assert.Equal(stats.SessionsWithErrors, whole.Buckets.Sum(b => b.SessionsWithErrors));
    }

    [Fact]
    public async Task Anomalies_FollowTheDocumentedRule_AndLateSpansFlipASession()
    {
        var reader = Store.SessionKinds ?? throw new InvalidOperationException("This backend has no session kind reader.");
        var detector = new AnomalyDetector(reader, TimeProvider.System);
        var spans = new List<SpanRecord>();
        var random = new Random(5);
        // 30 "chat" sessions of 3 calls ($3–$5 µ each), 25 "agent" sessions of 10 calls, 8 unpriced "chat" sessions.
        for (var i = 0; i < 30; i++)
            for (var c = 0; c < 3; c++)
                spans.Add(Llm($"c{i}-{c}", $"chat-{i:00}", Day0 + i * Hour + c, costPico: random.Next(1_000_000, 1_700_000)).WithTags("chat"));
        for (var i = 0; i < 25; i++)
            for (var c = 0; c < 10; c++)
                spans.Add(Llm($"a{i}-{c}", $"agent-{i:00}", Day0 + i * Hour + c, costPico: random.Next(900_000, 1_100_000)).WithTags("agent"));
        for (var i = 0; i < 8; i++)
            spans.Add(Llm($"u{i}", $"unpriced-{i}", Day0 + i * Hour, model: "mystery", costPico: null).WithTags("chat"));
        // A chat session that is expensive per call (cost 40× the median), and a runaway whose late calls arrive later.
        spans.Add(Llm("pricey", "chat-pricey", Day0 + 2 * Hour, costPico: 200_000_000).WithTags("chat"));
        spans.Add(Llm("run-0", "chat-runaway", Day0 + 3 * Hour, costPico: 1_200_000).WithTags("chat"));
        await WriteAsync(ProjectId, spans);
        await WriteAsync(ProjectId, spans.Take(40)); // re-sent: no figure counts twice

        var query = new AnomalyQuery { Filter = new SessionFilter { ToMs = Day0 + 3 * Day }, By = new SessionGrouping.ByTag() };
        await VerifyAnomaliesAsync(detector, query, spans, "before the late spans");
        var first = await detector.FindAsync(ProjectId, query);
        Assert.Equal(["chat-pricey"], first.Items.Select(a => a.Session.SessionId));
        Assert.StartsWith("cost $0.0002 = ", first.Items[0].Reason);
        Assert.Contains("of `chat` sessions in the 7 days to 2026-11-13 00:00 UTC", first.Items[0].Reason);

        var late = Enumerable.Range(1, 60).Select(c => Llm($"run-{c}", "chat-runaway", Day0 + 3 * Hour + c * 1_000, costPico: 1_200_000).WithTags("chat")).ToList();
        await WriteAsync(ProjectId, late);
        spans.AddRange(late);
        await VerifyAnomaliesAsync(detector, query, spans, "after the late spans");
        var second = await detector.FindAsync(ProjectId, query);
        Assert.Contains(second.Items, a => a.Session.SessionId == "chat-runaway" && a.Reason.Contains("61 turns"));
        Assert.NotNull(await detector.JudgeAsync(ProjectId, "chat-runaway", new SessionGrouping.ByTag(), Day0 + 3 * Day));
        Assert.Null(await detector.JudgeAsync(ProjectId, "chat-01", new SessionGrouping.ByTag(), Day0 + 3 * Day));
        Assert.Null(await detector.JudgeAsync(ProjectId, "no-such-session", null, Day0 + 3 * Day));

        // The list's badges (its page's rows against a remembered whole-project baseline) are FindAsync's flags and reasons.
        var listFilter = new SessionFilter { ToMs = Day0 + 3 * Day };
        var listed = (await reader.SessionsAsync(ProjectId, SessionFilter.None, null)).Select(k => k.Session).ToList();
        var exact = await detector.FindAsync(ProjectId, new AnomalyQuery { Filter = listFilter, Limit = 500 });
        var badges = await new AnomalyDetector(reader, TimeProvider.System).JudgeListedAsync(ProjectId, listFilter, listed);
        Assert.NotEmpty(exact.Items);
        Assert.Equal(exact.Items.Select(a => (a.Session.SessionId, a.Reason)).Order(),
            badges.Select(b => (b.Key, b.Value.Reason)).Order());
    }

    /// <summary>The documented rule applied to sessions recomputed from the spans, written out again here.</summary>
    private async Task VerifyAnomaliesAsync(AnomalyDetector detector, AnomalyQuery query, List<SpanRecord> spans, string context)
    {
        var expected = ReferenceFigures.Sessions(spans);
        var tagOf = expected.Keys.ToDictionary(s => s, s => spans.First(x => x.SessionId == s).Tags.Single());
        var expectedFlags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var kind in expected.Values.GroupBy(s => tagOf[s.SessionId]))
        {
            var costs = kind.Where(s => s.UnpricedCalls < s.Turns).Select(s => (double)s.CostPico).ToList();
            var turns = kind.Select(s => (double)s.Turns).ToList();
            var perTurn = kind.Select(s => (double)s.TotalTokens / s.Turns).ToList();
            foreach (var s in kind)
            {
                if ((s.UnpricedCalls < s.Turns && Flags(s.CostPico, costs)) || Flags(s.Turns, turns) || Flags((double)s.TotalTokens / s.Turns, perTurn))
                    expectedFlags.Add(s.SessionId);
            }
        }
        var report = await detector.FindAsync(ProjectId, query with { Limit = 500 });
        Assert.True(expectedFlags.SetEquals(report.Items.Select(a => a.Session.SessionId)),
            $"{context}: flagged {string.Join(",", report.Items.Select(a => a.Session.SessionId))}; expected {string.Join(",", expectedFlags)}");
        Assert.Equal(expected.Count, report.SessionsJudged);
        var chat = report.Baselines.Single(b => b.Kind == "chat");
        Assert.Equal(8, chat.UnpricedSessions); // unknown cost stays out of the cost baseline
        Assert.Equal(Median(expected.Values.Where(s => tagOf[s.SessionId] == "chat" && s.UnpricedCalls < s.Turns).Select(s => (double)s.CostPico).ToList()), chat.CostPico.Median);
    }

    private static bool Flags(double x, List<double> values)
    {
        if (values.Count < 20)
            return false;
        var median = Median(values);
        var mad = Median(values.Select(v => Math.Abs(v - median)).ToList());
        if (median <= 0 || x < 3 * median || x <= median)
            return false;
        return mad == 0 || (x - median) / (1.4826 * mad) >= 3.5;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
