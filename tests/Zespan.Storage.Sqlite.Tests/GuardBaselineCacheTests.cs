using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The "a session is flagged anomalous" guard rule asks the detector about every session ingestion touches. It judges
/// against the baselines the sessions list remembers (BaselineCache: fresh for a minute, refreshed in the background,
/// ten minutes at most), so a burst of evaluations reads the baseline window once, not once per session.
/// </summary>
public sealed class GuardBaselineCacheTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-02T06:00:00Z");
    private const long Dollar = 1_000_000_000_000;

    [Fact]
    public async Task JudgingEachTouchedSession_ReadsTheWindowOncePerFreshBaseline_AndStillFlagsTheRunaway()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        var nowMs = Now.ToUnixTimeMilliseconds();
        var usual = Enumerable.Range(0, 30)
            .SelectMany(s => Enumerable.Range(0, 3).Select(t => Llm($"u{s}-{t}", $"usual-{s}", nowMs - (s + 1) * 3_600_000L + t * 1_000, costPico: (1 + s % 2) * Dollar)))
            .ToList();
        await storage.SpanWriter.WriteAsync(usual.Select(s => new ProjectSpan(project, s)).ToList());

        var clock = new ManualClock(Now);
        var reader = new CountingKindReader(storage.SessionKinds);
        var detector = new AnomalyDetector(reader, clock);
        for (var s = 0; s < 30; s++)
            Assert.Null(await detector.JudgeAsync(project, $"usual-{s}"));
        Assert.Equal(1, reader.WindowReads);

        // A runaway written after the baseline was remembered is judged against it: flagged, with no new window read.
        var runaway = Enumerable.Range(0, 40).Select(t => Llm($"r{t}", "runaway", nowMs - 1_800_000 + t * 1_000, costPico: Dollar)).ToList();
        await storage.SpanWriter.WriteAsync(runaway.Select(s => new ProjectSpan(project, s)).ToList());
        clock.Advance(TimeSpan.FromSeconds(30));
        var flag = await detector.JudgeAsync(project, "runaway");
        Assert.NotNull(flag);
        Assert.Contains("× the median", flag.Reason);
        // The list's badges share the same remembered baseline.
        await detector.JudgeListedAsync(project, SessionFilter.None, []);
        Assert.Equal(1, reader.WindowReads);

        // Past a minute: answered from the remembered baseline while one refresh reads the window again.
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.NotNull(await detector.JudgeAsync(project, "runaway"));
        for (var i = 0; i < 300 && reader.WindowReads < 2; i++)
            await Task.Delay(10);
        Assert.Equal(2, reader.WindowReads);

        // A judgement at a past moment has its own baseline, computed once for that end.
        var past = nowMs - 2 * 86_400_000L;
        Assert.Null(await detector.JudgeAsync(project, "runaway", null, past));
        Assert.Null(await detector.JudgeAsync(project, "usual-3", null, past));
        Assert.Equal(3, reader.WindowReads);
    }

    /// <summary>The real SQLite reader, counting the reads of a window (every session of a time range, not one session).</summary>
    private sealed class CountingKindReader(ISessionKindReader inner) : ISessionKindReader
    {
        private int _windowReads;
        public int WindowReads => Volatile.Read(ref _windowReads);

        public Task<IReadOnlyList<KindedSession>> SessionsAsync(
            long projectId, SessionFilter filter, SessionGrouping? by, string? sessionId = null, CancellationToken cancellationToken = default)
        {
            if (sessionId is null)
                Interlocked.Increment(ref _windowReads);
            return inner.SessionsAsync(projectId, filter, by, sessionId, cancellationToken);
        }

        public Task<SessionTimeseries> TimeseriesAsync(
            long projectId, SessionFilter filter, SessionGrouping? by, TimeBuckets buckets, int maxKinds, CancellationToken cancellationToken = default) =>
            inner.TimeseriesAsync(projectId, filter, by, buckets, maxKinds, cancellationToken);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
