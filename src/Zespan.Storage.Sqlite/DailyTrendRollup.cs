using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Whole-project session trends in daily or weekly buckets without reading every session of the range: counts, cost
/// sums, errors and the turns histogram (hence the exact turns p95) from session_rollup_hourly (migration 040), and the
/// exact cost median and p95 of each bucket from the priced sessions' cost bands (migration 140): the running count of
/// the bucket's band counts finds the band holding the k-th smallest cost, and only that band's costs of the bucket are
/// walked, in cost order to the rank (<see cref="KindBandWalk.WholeProject"/>: counts of equal costs, migration 195). Same definitions as <see cref="SessionTimeseriesBuilder"/>; the conformance suite checks both
/// against figures recomputed from raw spans. <see cref="KindTrendRollup"/> does the same per kind of conversation.
/// </summary>
/// <summary>The costs at ascending 0-based ranks among one band's priced costs of a bucket, whose rollup counts <paramref name="bandSessions"/>.</summary>
internal delegate Task<long[]> BandRanks(long band, long bandSessions, long[] ranks);

internal static class DailyTrendRollup
{
    /// <summary>
    /// Only a whole-project series of whole UTC days (day or week buckets) with no filter but the buckets' own range:
    /// the rollups hold no tag, user, status or text dimension, so anything else is read from the sessions (fail closed).
    /// </summary>
    public const SessionDimensions Supported = SessionDimensions.Time;

    /// <summary>Whether the rollups answer: no grouping, whole days, and a time range that is exactly the buckets' own.</summary>
    public static bool Covers(SessionFilter filter, SessionGrouping? by, TimeBuckets buckets) =>
        by is null && WholeDays(filter, buckets);

    /// <summary>Day or week buckets, no filter but the buckets' own range (shared with <see cref="KindTrendRollup"/>).</summary>
    public static bool WholeDays(SessionFilter filter, TimeBuckets buckets) =>
        buckets.Size != BucketSize.Hour && Supported.Supports(filter) && filter.FromMs == buckets.FromMs && filter.ToMs == buckets.ToMs;

    public static async Task<SessionTimeseries> ReadAsync(SqliteConnection connection, long projectId, TimeBuckets buckets, CancellationToken cancellationToken)
    {
        // One read transaction: the rollups and the band reads come from the same snapshot even while spans are written.
        using var snapshot = connection.BeginTransaction(deferred: true);
        var figures = await ReadHourlyAsync(snapshot, projectId, buckets, cancellationToken);
        await ReadBandsAsync(snapshot, projectId, buckets, figures, cancellationToken);
        using var band = KindBandWalk.WholeProject(connection, projectId, buckets.WidthMs);

        var result = new SessionBucket[buckets.Count];
        long total = 0;
        for (var i = 0; i < result.Length; i++)
        {
            total += figures[i].Sessions;
            var start = buckets.StartOf(i);
            result[i] = await BucketAsync(start, figures[i], (bandValue, bandSessions, ranks) =>
                Task.FromResult(band.CostsAt(bandValue, start, start + buckets.WidthMs, bandSessions, ranks)));
        }
        snapshot.Commit();
        return new SessionTimeseries(buckets, null, [new SessionSeries(null, total, result)], 0);
    }

    /// <summary>
    /// One bucket's figures, its median and p95 cost found through its band counts: <paramref name="costsAt"/> reads the
    /// costs at some ranks of one band's priced costs of the bucket (of the series' sessions only); each band is read at
    /// most once, for all the ranks it holds (the two middle costs and the p95 are often in one band).
    /// </summary>
    public static async Task<SessionBucket> BucketAsync(long startMs, BucketFigures f, BandRanks costsAt)
    {
        long? median = null, p95 = null;
        if (f.Priced > 0)
        {
            var counted = f.Bands.Values.Sum();
            if (counted != f.Priced)
                throw new InvalidOperationException($"The session rollups disagree for bucket {startMs}: {f.Priced} priced sessions, {counted} in cost bands.");
            var n = f.Priced;
            var p95Position = Percentiles.NearestRankOf(n, 0.95) - 1; // never before the median's positions (n >= 1)
            long[] positions = n % 2 == 1 ? [n / 2, p95Position] : [n / 2 - 1, n / 2, p95Position];
            var costs = await CostsAtAsync(startMs, f.Bands, positions, costsAt);
            median = n % 2 == 1 ? costs[0] : Percentiles.MeanOfTwo(costs[0], costs[1]);
            p95 = costs[^1];
        }
        return new SessionBucket(
            startMs, f.Sessions, f.Priced, f.Cost,
            f.Priced == 0 ? null : (double)((decimal)f.Cost / f.Priced),
            median, p95,
            f.TurnSum,
            f.Sessions == 0 ? null : (double)f.TurnSum / f.Sessions,
            f.Sessions == 0 ? null : At(f.Turns, Percentiles.NearestRankOf(f.Sessions, 0.95) - 1),
            f.Errored);
    }

    /// <summary>
    /// The costs at ascending 0-based <paramref name="positions"/> among the bucket's priced costs: the running count of
    /// the band counts finds the band holding each, and each such band is asked once for the ranks it holds.
    /// </summary>
    private static async Task<long[]> CostsAtAsync(long startMs, SortedDictionary<long, long> counts, long[] positions, BandRanks costsAt)
    {
        var result = new long[positions.Length];
        var next = 0;
        long before = 0;
        foreach (var (band, sessions) in counts)
        {
            var first = next;
            while (next < positions.Length && positions[next] < before + sessions)
                next++;
            if (next > first)
            {
                var ranks = new long[next - first];
                for (var i = 0; i < ranks.Length; i++)
                    ranks[i] = positions[first + i] - before;
                var costs = await costsAt(band, sessions, ranks);
                Array.Copy(costs, 0, result, first, ranks.Length);
            }
            if (next == positions.Length)
                return result;
            before += sessions;
        }
        throw new InvalidOperationException($"A cost position past the priced sessions of bucket {startMs}.");
    }

    /// <summary>The costs at sorted ranks of a sorted band (read whole), checked against the band's count.</summary>
    public static long[] At(List<long> sortedCosts, long bandSessions, long[] ranks)
    {
        if (sortedCosts.Count != bandSessions)
            throw new InvalidOperationException($"The cost band rollup counts {bandSessions} sessions in a band that holds {sortedCosts.Count}.");
        return Array.ConvertAll(ranks, rank => sortedCosts[(int)rank]);
    }

    private static long At(SortedDictionary<int, long> histogram, long position)
    {
        foreach (var (turns, sessions) in histogram)
        {
            if (position < sessions)
                return turns;
            position -= sessions;
        }
        throw new InvalidOperationException("A turns position past the bucket's sessions.");
    }

    /// <summary>One bucket's sums, its turns histogram and its priced sessions per cost band; zero counts are dropped.</summary>
    internal sealed class BucketFigures
    {
        public long Sessions, Priced, Errored, TurnSum;
        public Int128 Cost;
        public readonly SortedDictionary<int, long> Turns = [];
        public readonly SortedDictionary<long, long> Bands = [];

        public void Add(int turns, long sessions, long priced, long errored, Int128 cost)
        {
            Sessions += sessions;
            Priced += priced;
            Errored += errored;
            TurnSum += turns * sessions;
            Cost += cost;
            AddCount(Turns, turns, sessions);
        }

        public void AddBand(long band, long sessions) => AddCount(Bands, band, sessions);

        /// <summary>These figures minus a subset's (the sessions with no kind: the whole project's minus those with one).</summary>
        public BucketFigures Minus(BucketFigures subset)
        {
            var result = new BucketFigures();
            foreach (var (turns, sessions) in Turns)
                AddCount(result.Turns, turns, sessions);
            foreach (var (turns, sessions) in subset.Turns)
                AddCount(result.Turns, turns, -sessions);
            foreach (var (band, sessions) in Bands)
                AddCount(result.Bands, band, sessions);
            foreach (var (band, sessions) in subset.Bands)
                AddCount(result.Bands, band, -sessions);
            (result.Sessions, result.Priced, result.Errored, result.TurnSum, result.Cost) =
                (Sessions - subset.Sessions, Priced - subset.Priced, Errored - subset.Errored, TurnSum - subset.TurnSum, Cost - subset.Cost);
            return result;
        }

        private static void AddCount<TKey>(SortedDictionary<TKey, long> counts, TKey key, long delta) where TKey : notnull
        {
            var value = counts.GetValueOrDefault(key) + delta;
            if (value == 0)
                counts.Remove(key);
            else
                counts[key] = value;
        }
    }

    public static BucketFigures[] NewFigures(int count)
    {
        var figures = new BucketFigures[count];
        for (var i = 0; i < figures.Length; i++)
            figures[i] = new BucketFigures();
        return figures;
    }

    /// <summary>
    /// The whole project's sums and turns histograms per bucket, from the hourly rollup: its rows as stored, in key order,
    /// merged here (SQLite's GROUP BY sorted ~94 k rows for 90 days at a million sessions, ~5× the read's CPU). The writer
    /// deletes rows at zero sessions (migration 180); a row's cost is in two parts (migration 190), summed here in 128 bits.
    /// </summary>
    public static async Task<BucketFigures[]> ReadHourlyAsync(SqliteTransaction snapshot, long projectId, TimeBuckets buckets, CancellationToken cancellationToken)
    {
        var figures = NewFigures(buckets.Count);
        await using var command = snapshot.Connection!.Command("""
            SELECT (hour - $from) / $width AS bucket, turns, sessions, priced_sessions, errored * sessions, cost_high, cost_pico
            FROM session_rollup_hourly WHERE project_id = $p AND hour >= $from AND hour < $to AND sessions <> 0
            """, snapshot).With("$p", projectId).With("$from", buckets.FromMs).With("$to", buckets.ToMs).With("$width", buckets.WidthMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            figures[reader.GetInt32(0)].Add(reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), ExactSum.Join(reader.GetInt64(5), reader.GetInt64(6)));
        return figures;
    }

    /// <summary>The whole project's priced sessions per bucket and cost band, into <paramref name="figures"/>.</summary>
    public static async Task ReadBandsAsync(SqliteTransaction snapshot, long projectId, TimeBuckets buckets, BucketFigures[] figures, CancellationToken cancellationToken)
    {
        await using var command = snapshot.Connection!.Command("""
            SELECT (day - $from) / $width AS bucket, cost_band, SUM(sessions)
            FROM session_cost_bands_daily WHERE project_id = $p AND day >= $from AND day < $to
            GROUP BY bucket, cost_band HAVING SUM(sessions) <> 0
            """, snapshot).With("$p", projectId).With("$from", buckets.FromMs).With("$to", buckets.ToMs).With("$width", buckets.WidthMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            figures[reader.GetInt32(0)].AddBand(reader.GetInt64(1), reader.GetInt64(2));
    }
}
