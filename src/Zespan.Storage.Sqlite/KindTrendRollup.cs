using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Session trends per kind of conversation (by=tag or by=metadata:key) in daily or weekly buckets, from the per-kind daily
/// rollups of migration 170, as <see cref="DailyTrendRollup"/> does for the whole project: sums and the turns histogram
/// per kind and bucket, the priced sessions per cost band, and for the median and p95 only the sessions of the one band
/// that holds each, read with their kinds. The sessions with no kind are the whole project's figures minus those of
/// "has a tag" / "has the key", exactly. Same definitions as <see cref="SessionTimeseriesBuilder"/>; the conformance
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

        // One band of one bucket is read once, with the kind of each of its sessions, for every kind kept that needs it.
        var (kindColumn, join) = SqliteSessionKindReader.KindJoin(by);
        await using var band = connection.Command($"""
            SELECT s.cost_pico, {kindColumn} FROM sessions s INDEXED BY sessions_by_cost_band {join}
            WHERE s.project_id = $p AND s.cost_unknown = 0 AND s.cost_band = $band AND s.started_ms >= $from AND s.started_ms < $to
            """, snapshot).With("$p", projectId);
        if (by is SessionGrouping.ByMetadata)
            band.With("$key", key);
        var bandParameter = band.Parameters.Add(new SqliteParameter("$band", 0L));
        var fromParameter = band.Parameters.Add(new SqliteParameter("$from", 0L));
        var toParameter = band.Parameters.Add(new SqliteParameter("$to", 0L));
        var bandsRead = new Dictionary<(int Bucket, long Band), BandCosts>();

        var series = new List<SessionSeries>(kept.Count);
        foreach (var (kind, figures, sessions) in kept)
        {
            var points = new SessionBucket[buckets.Count];
            for (var i = 0; i < points.Length; i++)
            {
                var bucket = i;
                var start = buckets.StartOf(i);
                points[i] = await DailyTrendRollup.BucketAsync(start, figures[i], async bandValue =>
                {
                    if (!bandsRead.TryGetValue((bucket, bandValue), out var byKind))
                    {
                        bandParameter.Value = bandValue;
                        fromParameter.Value = start;
                        toParameter.Value = start + buckets.WidthMs;
                        byKind = new BandCosts();
                        await using (var reader = await band.ExecuteReaderAsync(cancellationToken))
                        {
                            while (reader.Read())
                                byKind.Of(reader.GetNullableString(1)).Add(reader.GetInt64(0));
                        }
                        byKind.Sort();
                        bandsRead[(bucket, bandValue)] = byKind;
                    }
                    return byKind.Of(kind);
                });
            }
            series.Add(new SessionSeries(kind, sessions, points));
        }
        snapshot.Commit();
        return new SessionTimeseries(buckets, by, series, all.Count - kept.Count);
    }

    /// <summary>The priced costs of one band of one bucket, per kind (null: the sessions with no kind).</summary>
    private sealed class BandCosts
    {
        private readonly Dictionary<string, List<long>> _kinds = new(StringComparer.Ordinal);
        private readonly List<long> _none = [];

        public List<long> Of(string? kind)
        {
            if (kind is null)
                return _none;
            if (!_kinds.TryGetValue(kind, out var list))
                _kinds[kind] = list = [];
            return list;
        }

        public void Sort()
        {
            _none.Sort();
            foreach (var list in _kinds.Values)
                list.Sort();
        }
    }

    private static void Bind(SqliteCommand command, long projectId, int dim, int anyDim, string key, TimeBuckets buckets) =>
        command.With("$p", projectId).With("$dim", dim).With("$any", anyDim).With("$key", key)
            .With("$from", buckets.FromMs).With("$to", buckets.ToMs).With("$width", buckets.WidthMs);
}
