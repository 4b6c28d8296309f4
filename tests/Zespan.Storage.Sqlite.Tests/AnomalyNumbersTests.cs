using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The anomaly detector's numbers-only path (baselines from the sessions' numbers, full rows of the listed sessions only)
/// must answer exactly what judging every full row of the window answers — the computation before it, kept here as the
/// independent recomputation: the same flags, reasons, kinds, order, counts and baselines, for every grouping, with and
/// without other filters and limits, through re-sent spans, late spans and retention.
/// </summary>
public sealed class AnomalyNumbersTests
{
    private static readonly SessionGrouping?[] Groupings = [null, new SessionGrouping.ByTag(), new SessionGrouping.ByMetadata("feature")];

    [Theory]
    [InlineData(3)]
    [InlineData(19)]
    [InlineData(2026)]
    public async Task NumbersPath_EqualsJudgingEveryFullRow_ThroughResendsLateSpansAndRetention(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        var spans = new List<ProjectSpan>();
        string[] tags = ["chat", "agent", "search"];
        string[] features = ["a", "b"];
        for (var session = 0; session < 220; session++)
        {
            var start = Day0 + random.NextInt64(6 * Day);
            // Usual sessions of 2–6 turns; runaways and bloated prompts; costs that repeat (a few prices) or spread.
            var turns = random.Next(12) == 0 ? random.Next(20, 60) : random.Next(2, 7);
            var tokens = random.Next(15) == 0 ? random.Next(5_000, 20_000) : random.Next(100, 900);
            var allUnpriced = random.Next(10) == 0;
            var sessionTags = tags.Where(_ => random.Next(3) == 0).ToArray();
            var feature = random.Next(5) == 0 ? null : features[random.Next(features.Length)];
            // Kinds on different scales, so one kind's usual is another's anomaly: agents take 4× the turns,
            // searches 6× the tokens, feature b costs 20× as much.
            if (sessionTags.Contains("agent"))
                turns *= 4;
            if (sessionTags.Contains("search"))
                tokens *= 6;
            var costScale = feature == "b" ? 20 : 1;
            for (var turn = 0; turn < turns; turn++)
            {
                long? cost = allUnpriced || random.Next(12) == 0 ? null
                    : costScale * (random.Next(2) == 0 ? 1_000_000 * random.Next(1, 4) : random.Next(25) == 0 ? random.NextInt64(50_000_000, 90_000_000) : random.NextInt64(1, 5_000_000));
                var span = Llm($"s{session}-t{turn}", $"session-{session:000}", start + turn * random.NextInt64(1_000, 10 * 60_000),
                    inputTokens: tokens, costPico: cost).WithTags(sessionTags);
                spans.Add(new ProjectSpan(project, feature is null ? span : span.WithMetadata(("feature", feature))));
            }
        }
        foreach (var batch in spans.OrderBy(_ => random.Next()).Chunk(89))
            await storage.SpanWriter.WriteAsync(batch);
        await AssertSameAnswersAsync(storage, project, random, "written");

        // Re-sent spans (moved to another session, an hour earlier, re-priced) and late calls that make a runaway.
        var resent = spans.OrderBy(_ => random.Next()).Take(50).Select(p => p with
        {
            Span = random.Next(3) switch
            {
                0 => p.Span with { SessionId = $"session-{random.Next(220):000}" },
                1 => p.Span with { StartMs = p.Span.StartMs - Hour, EndMs = p.Span.EndMs - Hour },
                _ => p.Span with { CostPico = random.Next(3) == 0 ? null : random.NextInt64(10_000_000) },
            },
        }).ToList();
        var late = Enumerable.Range(0, 70).Select(t => new ProjectSpan(project,
            Llm($"late-{t}", "session-007", Day0 + 3 * Day + t * 1_000, costPico: 1_000_000).WithTags("chat"))).ToList();
        await storage.SpanWriter.WriteAsync(resent.Concat(late).ToList());
        await AssertSameAnswersAsync(storage, project, random, "after re-sends and late spans");

        await storage.Retention.DeleteSpansStartedBeforeAsync(project, Day0 + 2 * Day + random.NextInt64(Day), batchSize: 17);
        await AssertSameAnswersAsync(storage, project, random, "after retention");
    }

    private static async Task AssertSameAnswersAsync(SqliteStorage storage, long projectId, Random random, string context)
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(Day0 + 7 * Day));
        var fast = new AnomalyDetector(storage.SessionKinds, clock);
        var full = new AnomalyDetector(new FullRowsOnly(storage.SessionKinds), clock);
        var anyFlagged = false;
        foreach (var by in Groupings)
        {
            SessionFilter[] filters =
            [
                new SessionFilter { ToMs = Day0 + 7 * Day },
                new SessionFilter { ToMs = Day0 + 4 * Day + random.NextInt64(Day) },
                new SessionFilter { FromMs = Day0 + 2 * Day, ToMs = Day0 + 6 * Day, MinTurns = 3 },
                new SessionFilter { ToMs = Day0 + 7 * Day, Status = SessionStatusFilter.Ok },
                SessionFilter.None,
            ];
            foreach (var filter in filters)
            {
                foreach (var limit in new[] { 1, 5, 500 })
                {
                    var query = new AnomalyQuery { Filter = filter, By = by, Limit = limit, Window = TimeSpan.FromDays(random.Next(2) == 0 ? 7 : 3) };
                    var expected = await full.FindAsync(projectId, query);
                    var actual = await fast.FindAsync(projectId, query);
                    var where = $"{context}, by {SessionKinds.ByText(by) ?? "project"}, {filter}, limit {limit}";
                    Assert.True(Describe(expected) == Describe(actual), $"{where}:\nexpected {Describe(expected)}\nactual   {Describe(actual)}");
                    anyFlagged |= expected.AnomalousSessions > 0;
                }
            }
        }
        Assert.True(anyFlagged, $"{context}: the data flags no session, so the comparison proves little");
    }

    /// <summary>Everything a report shows, as text: counts, every listed session with its kind, figures and reason, and the baselines.</summary>
    private static string Describe(AnomalyReport r) =>
        $"{r.BaselineFromMs}-{r.BaselineToMs} judged {r.SessionsJudged} flagged {r.AnomalousSessions} items ["
        + string.Join("; ", r.Items.Select(a => $"{a.Session} {a.Kind} {a.Reason} {string.Join(",", a.Findings)}"))
        + "] baselines [" + string.Join("; ", r.Baselines) + "]";

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The SQLite reader without its numbers-only side: every full row of the window is judged.</summary>
    private sealed class FullRowsOnly(ISessionKindReader inner) : ISessionKindReader
    {
        public Task<IReadOnlyList<KindedSession>> SessionsAsync(
            long projectId, SessionFilter filter, SessionGrouping? by, string? sessionId = null, CancellationToken cancellationToken = default) =>
            inner.SessionsAsync(projectId, filter, by, sessionId, cancellationToken);

        public Task<SessionTimeseries> TimeseriesAsync(
            long projectId, SessionFilter filter, SessionGrouping? by, TimeBuckets buckets, int maxKinds, CancellationToken cancellationToken = default) =>
            inner.TimeseriesAsync(projectId, filter, by, buckets, maxKinds, cancellationToken);
    }
}
