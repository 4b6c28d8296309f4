using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Storage;

namespace Zespan.Bench;

/// <summary>
/// The anomaly detector the benches time. With ZESPAN_BENCH_ANOMALIES=full-rows it reads every session of the window in
/// full (the store's numbers-only read hidden): the computation before the numbers-only baselines, for an A/B on one
/// binary and one file. <see cref="Answer"/> prints what must be equal between the two.
/// </summary>
public static class BenchDetector
{
    public static bool FullRows => Environment.GetEnvironmentVariable("ZESPAN_BENCH_ANOMALIES") == "full-rows";

    public static AnomalyDetector Create(ISessionKindReader reader) =>
        new(FullRows ? new FullRowsOnly(reader) : reader, TimeProvider.System);

    /// <summary>Judged, flagged, and a digest of every flagged session's id, kind and reason (listed or not).</summary>
    public static string Answer(AnomalyReport report)
    {
        var digest = 17L;
        foreach (var a in report.Items)
            digest = digest * 31 + StableHash($"{a.Session.SessionId}|{a.Kind}|{a.Reason}");
        return $"{report.SessionsJudged:N0} judged, {report.AnomalousSessions:N0} flagged, digest {digest & 0xFFFFFFFF:x8}";
    }

    private static long StableHash(string text)
    {
        var hash = 1469598103934665603UL;
        foreach (var c in text)
            hash = (hash ^ c) * 1099511628211UL;
        return (long)hash;
    }

    /// <summary>The reader without its <see cref="ISessionNumbersReader"/> side.</summary>
    private sealed class FullRowsOnly(ISessionKindReader inner) : ISessionKindReader
    {
        public Task<IReadOnlyList<KindedSession>> SessionsAsync(long projectId, SessionFilter filter, SessionGrouping? by, string? sessionId = null, CancellationToken cancellationToken = default) =>
            inner.SessionsAsync(projectId, filter, by, sessionId, cancellationToken);

        public Task<SessionTimeseries> TimeseriesAsync(long projectId, SessionFilter filter, SessionGrouping? by, TimeBuckets buckets, int maxKinds, CancellationToken cancellationToken = default) =>
            inner.TimeseriesAsync(projectId, filter, by, buckets, maxKinds, cancellationToken);
    }
}
