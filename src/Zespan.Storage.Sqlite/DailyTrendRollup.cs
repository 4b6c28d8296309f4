using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Whole-project session trends in daily or weekly buckets without reading every session of the range: counts, cost
/// sums, errors and the turns histogram (hence the exact turns p95) from session_rollup_hourly (migration 040), and the
/// exact cost median and p95 of each bucket from the priced sessions' cost bands (migration 140): the running count of
/// the bucket's band counts finds the band holding the k-th smallest cost, and only that band's sessions of the bucket
/// are read and sorted. Same definitions as <see cref="SessionTimeseriesBuilder"/>; the conformance suite checks both
/// against figures recomputed from raw spans.
/// </summary>
internal static class DailyTrendRollup
{
    /// <summary>
    /// Only a whole-project series of whole UTC days (day or week buckets) with no filter but the buckets' own range:
    /// the rollups hold no tag, user, status or text dimension, so anything else is read from the sessions (fail closed).
    /// </summary>
    public const SessionDimensions Supported = SessionDimensions.Time;

    /// <summary>Whether the rollups answer: no grouping, whole days, and a time range that is exactly the buckets' own.</summary>
    public static bool Covers(SessionFilter filter, SessionGrouping? by, TimeBuckets buckets) =>
        by is null && buckets.Size != BucketSize.Hour && Supported.Supports(filter)
        && filter.FromMs == buckets.FromMs && filter.ToMs == buckets.ToMs;

    public static async Task<SessionTimeseries> ReadAsync(SqliteConnection connection, long projectId, TimeBuckets buckets, CancellationToken cancellationToken)
    {
        // One read transaction: the rollups and the band reads come from the same snapshot even while spans are written.
        using var snapshot = connection.BeginTransaction(deferred: true);
        var figures = await ReadHourlyAsync(snapshot, projectId, buckets, cancellationToken);
        var bands = await ReadBandsAsync(snapshot, projectId, buckets, cancellationToken);
        await using var band = connection.Command("""
            SELECT cost_pico FROM sessions INDEXED BY sessions_by_cost_band
            WHERE project_id = $p AND cost_unknown = 0 AND cost_band = $band AND started_ms >= $from AND started_ms < $to
            """, snapshot).With("$p", projectId);
        var bandParameter = band.Parameters.Add(new SqliteParameter("$band", 0L));
        var fromParameter = band.Parameters.Add(new SqliteParameter("$from", 0L));
        var toParameter = band.Parameters.Add(new SqliteParameter("$to", 0L));

        var result = new SessionBucket[buckets.Count];
        long total = 0;
        for (var i = 0; i < result.Length; i++)
        {
            var f = figures[i];
            var counts = bands[i];
            total += f.Sessions;
            long? median = null, p95 = null;
            if (f.Priced > 0)
            {
                if (counts.Sum(c => c.Sessions) != f.Priced)
                    throw new InvalidOperationException($"The session rollups disagree for bucket {buckets.StartOf(i)}: {f.Priced} priced sessions, {counts.Sum(c => c.Sessions)} in cost bands.");
                var sorted = new Dictionary<long, List<long>>();
                async Task<long> CostAtAsync(long position)
                {
                    var (bandValue, rank) = Locate(counts, position);
                    if (!sorted.TryGetValue(bandValue, out var costs))
                    {
                        bandParameter.Value = bandValue;
                        fromParameter.Value = buckets.StartOf(i);
                        toParameter.Value = buckets.StartOf(i) + buckets.WidthMs;
                        costs = [];
                        await using (var reader = await band.ExecuteReaderAsync(cancellationToken))
                        {
                            while (reader.Read())
                                costs.Add(reader.GetInt64(0));
                        }
                        costs.Sort();
                        sorted[bandValue] = costs;
                    }
                    if (rank >= costs.Count)
                        throw new InvalidOperationException($"The cost band rollup and the band index disagree in bucket {buckets.StartOf(i)}, band {bandValue}.");
                    return costs[(int)rank];
                }
                var n = f.Priced;
                median = n % 2 == 1
                    ? await CostAtAsync(n / 2)
                    : Percentiles.MeanOfTwo(await CostAtAsync(n / 2 - 1), await CostAtAsync(n / 2));
                p95 = await CostAtAsync(Percentiles.NearestRankOf(n, 0.95) - 1);
            }
            result[i] = new SessionBucket(
                buckets.StartOf(i), f.Sessions, f.Priced, f.Cost,
                f.Priced == 0 ? null : (double)((decimal)f.Cost / f.Priced),
                median, p95,
                f.TurnSum,
                f.Sessions == 0 ? null : (double)f.TurnSum / f.Sessions,
                f.Sessions == 0 ? null : TurnAt(f.Turns, Percentiles.NearestRankOf(f.Sessions, 0.95) - 1),
                f.Errored);
        }
        snapshot.Commit();
        return new SessionTimeseries(buckets, null, [new SessionSeries(null, total, result)], 0);
    }

    /// <summary>The band holding the 0-based position among the bucket's priced costs, and the rank within it.</summary>
    private static (long Band, long Rank) Locate(List<(long Band, long Sessions)> counts, long position)
    {
        foreach (var (band, sessions) in counts)
        {
            if (position < sessions)
                return (band, position);
            position -= sessions;
        }
        throw new InvalidOperationException("A cost position past the bucket's priced sessions.");
    }

    private static long TurnAt(List<(int Turns, long Sessions)> histogram, long position)
    {
        foreach (var (turns, sessions) in histogram)
        {
            if (position < sessions)
                return turns;
            position -= sessions;
        }
        throw new InvalidOperationException("A turns position past the bucket's sessions.");
    }

    private sealed class BucketFigures
    {
        public long Sessions, Priced, Errored, TurnSum;
        public Int128 Cost;
        public readonly List<(int Turns, long Sessions)> Turns = [];
    }

    private static async Task<BucketFigures[]> ReadHourlyAsync(SqliteTransaction snapshot, long projectId, TimeBuckets buckets, CancellationToken cancellationToken)
    {
        var figures = new BucketFigures[buckets.Count];
        for (var i = 0; i < figures.Length; i++)
            figures[i] = new BucketFigures();
        await using var command = snapshot.Connection!.Command($"""
            SELECT (hour - $from) / $width AS bucket, turns, SUM(sessions), SUM(priced_sessions), SUM(errored * sessions), {ExactSum.Of("cost_pico")}
            FROM session_rollup_hourly WHERE project_id = $p AND hour >= $from AND hour < $to
            GROUP BY bucket, turns HAVING SUM(sessions) > 0 ORDER BY bucket, turns
            """, snapshot).With("$p", projectId).With("$from", buckets.FromMs).With("$to", buckets.ToMs).With("$width", buckets.WidthMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            var f = figures[reader.GetInt32(0)];
            var turns = reader.GetInt32(1);
            var sessions = reader.GetInt64(2);
            f.Sessions += sessions;
            f.Priced += reader.GetInt64(3);
            f.Errored += reader.GetInt64(4);
            f.TurnSum += turns * sessions;
            f.Cost += ExactSum.Read(reader, 5);
            f.Turns.Add((turns, sessions));
        }
        return figures;
    }

    private static async Task<List<(long Band, long Sessions)>[]> ReadBandsAsync(SqliteTransaction snapshot, long projectId, TimeBuckets buckets, CancellationToken cancellationToken)
    {
        var bands = new List<(long, long)>[buckets.Count];
        for (var i = 0; i < bands.Length; i++)
            bands[i] = [];
        await using var command = snapshot.Connection!.Command("""
            SELECT (day - $from) / $width AS bucket, cost_band, SUM(sessions)
            FROM session_cost_bands_daily WHERE project_id = $p AND day >= $from AND day < $to
            GROUP BY bucket, cost_band HAVING SUM(sessions) > 0 ORDER BY bucket, cost_band
            """, snapshot).With("$p", projectId).With("$from", buckets.FromMs).With("$to", buckets.ToMs).With("$width", buckets.WidthMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            bands[reader.GetInt32(0)].Add((reader.GetInt64(1), reader.GetInt64(2)));
        return bands;
    }
}
