using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Session trends per kind of conversation (by=tag or by=metadata:key) in daily or weekly buckets, from the per-kind daily
/// rollups of migration 170, as <see cref="DailyTrendRollup"/> does for the whole project: sums and the turns histogram
/// per kind and bucket, the priced sessions per cost band, and for the median and p95 only the kind's own costs of the one
/// band that holds each (session_kind_costs, migration 195). The sessions with no kind are the whole project's figures
/// minus those of "has a tag" / "has the key", exactly. Same definitions as <see cref="SessionTimeseriesBuilder"/>; the conformance
/// suite and FastPathDimensionsTests check both against the session rows and the raw spans.
/// </summary>
internal static class KindTrendRollup
{
    /// <summary>Like the whole-project rollup: the per-kind rollups are keyed by start day only (fail closed on any other filter).</summary>
    public const SessionDimensions Supported = DailyTrendRollup.Supported;

    /// <summary>Whether the rollups answer: grouped by tag or metadata value, whole days, no filter but the buckets' range.</summary>
    public static bool Covers(SessionFilter filter, SessionGrouping? by, TimeBuckets buckets) =>
        by is SessionGrouping.ByTag or SessionGrouping.ByMetadata && DailyTrendRollup.WholeDays(filter, buckets);

    public static async Task<SessionTimeseries> ReadAsync(
        SqliteConnection connection, long projectId, SessionGrouping by, TimeBuckets buckets, int maxKinds, CancellationToken cancellationToken)
    {
        var (dim, anyDim, key) = by switch
        {
            SessionGrouping.ByTag => (0, 2, ""),
            SessionGrouping.ByMetadata m => (1, 3, m.Key),
            _ => throw new ArgumentOutOfRangeException(nameof(by)),
        };
        using var snapshot = connection.BeginTransaction(deferred: true);
        var kinds = new Dictionary<string, DailyTrendRollup.BucketFigures[]>(StringComparer.Ordinal);
        var withKind = DailyTrendRollup.NewFigures(buckets.Count);
        DailyTrendRollup.BucketFigures[] FiguresOf(long d, string kind) =>
            d == anyDim ? withKind : kinds.TryGetValue(kind, out var f) ? f : kinds[kind] = DailyTrendRollup.NewFigures(buckets.Count);

        // The rows as stored, in key order, merged here: SQLite's GROUP BY would sort them first (~10× the read's CPU).
        await using (var command = connection.Command("""
            SELECT dim, kind, (day - $from) / $width AS bucket, turns, sessions, priced_sessions, errored * sessions, cost_high, cost_low
            FROM session_kind_rollup_daily WHERE project_id = $p AND dim IN ($dim, $any) AND key = $key AND day >= $from AND day < $to AND sessions <> 0
            """, snapshot))
        {
            Bind(command, projectId, dim, anyDim, key, buckets);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (reader.Read())
                FiguresOf(reader.GetInt64(0), reader.GetString(1))[reader.GetInt32(2)].Add(
                    reader.GetInt32(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), ExactSum.Read(reader, 7));
        }
        await using (var command = connection.Command("""
            SELECT dim, kind, (day - $from) / $width AS bucket, cost_band, sessions
            FROM session_kind_cost_bands_daily WHERE project_id = $p AND dim IN ($dim, $any) AND key = $key AND day >= $from AND day < $to AND sessions <> 0
            """, snapshot))
        {
            Bind(command, projectId, dim, anyDim, key, buckets);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (reader.Read())
                FiguresOf(reader.GetInt64(0), reader.GetString(1))[reader.GetInt32(2)].AddBand(reader.GetInt64(3), reader.GetInt64(4));
        }

        // The sessions with no kind: the whole project's minus those with one.
        var whole = await DailyTrendRollup.ReadHourlyAsync(snapshot, projectId, buckets, cancellationToken);
        await DailyTrendRollup.ReadBandsAsync(snapshot, projectId, buckets, whole, cancellationToken);
        var none = whole.Select((f, i) => f.Minus(withKind[i])).ToArray();

        var all = kinds.Select(k => (Kind: (string?)k.Key, Figures: k.Value, Sessions: k.Value.Sum(f => f.Sessions)))
            .Append((Kind: null, Figures: none, Sessions: none.Sum(f => f.Sessions)))
            .Where(k => k.Sessions > 0)
            .ToList();
        var kept = all // the order of SessionTimeseriesBuilder.Build: most sessions first, the no-kind group last among equals
            .OrderByDescending(k => k.Sessions)
            .ThenBy(k => k.Kind is null ? 1 : 0)
            .ThenBy(k => k.Kind, StringComparer.Ordinal)
            .Take(maxKinds)
            .ToList();

        // A kind's band of a bucket is read from its own costs (migration 195), tens of rows; the sessions with no kind's
        // are the whole project's band (index only) minus those of "has a tag" / "has the key".
        await using var ownBand = BandCosts.OfKind(snapshot, projectId, dim, key);
        await using var anyBand = BandCosts.OfKind(snapshot, projectId, anyDim, key);
        await using var wholeBand = BandCosts.WholeProject(snapshot, projectId);
        var series = new List<SessionSeries>(kept.Count);
        foreach (var (kind, figures, sessions) in kept)
        {
            if (kind is not null)
                ownBand.Kind = kind;
            var points = new SessionBucket[buckets.Count];
            for (var i = 0; i < points.Length; i++)
            {
                var (from, to) = (buckets.StartOf(i), buckets.StartOf(i) + buckets.WidthMs);
                points[i] = await DailyTrendRollup.BucketAsync(from, figures[i], async bandValue => kind is not null
                    ? await ownBand.ReadAsync(bandValue, from, to, cancellationToken)
                    : BandCosts.Minus(await wholeBand.ReadAsync(bandValue, from, to, cancellationToken), await anyBand.ReadAsync(bandValue, from, to, cancellationToken)));
            }
            series.Add(new SessionSeries(kind, sessions, points));
        }
        snapshot.Commit();
        return new SessionTimeseries(buckets, by, series, all.Count - kept.Count);
    }

    private static void Bind(SqliteCommand command, long projectId, int dim, int anyDim, string key, TimeBuckets buckets) =>
        command.With("$p", projectId).With("$dim", dim).With("$any", anyDim).With("$key", key)
            .With("$from", buckets.FromMs).With("$to", buckets.ToMs).With("$width", buckets.WidthMs);
}
