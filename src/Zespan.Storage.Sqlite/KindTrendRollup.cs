using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Session trends per kind of conversation (by=tag or by=metadata:key) in daily or weekly buckets, from the per-kind daily
/// rollups of migration 170, as <see cref="DailyTrendRollup"/> does for the whole project: sums and the turns histogram
/// per kind and bucket, the priced sessions per cost band, and for the median and p95 the kind's own costs of the one
/// band that holds each, walked in cost order to the rank wanted (session_kind_costs, migration 195; <see cref="KindBandWalk"/>).
/// The sessions with no tag are a kind of their own (dim 4, migration 300); the sessions lacking a metadata key are the
/// whole project's figures (those of "has a tag" plus "no tag", daily) minus those of "has the key", exactly. Same definitions as <see cref="SessionTimeseriesBuilder"/>; the conformance
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
        // The second dim: for tags "no tag" (migration 300), the sessions with no kind themselves; for a metadata key
        // "has the key", since a session lacking a key is not enumerable: the sessions with no kind are the whole
        // project's minus those.
        var (dim, otherDim, key) = by switch
        {
            SessionGrouping.ByTag => (0, 4, ""),
            SessionGrouping.ByMetadata m => (1, 3, m.Key),
            _ => throw new ArgumentOutOfRangeException(nameof(by)),
        };
        var noneStored = otherDim == 4;
        using var snapshot = connection.BeginTransaction(deferred: true);
        var kinds = new Dictionary<string, DailyTrendRollup.BucketFigures[]>(StringComparer.Ordinal);
        var other = DailyTrendRollup.NewFigures(buckets.Count);
        DailyTrendRollup.BucketFigures[] FiguresOf(long d, string kind) =>
            d == otherDim ? other : kinds.TryGetValue(kind, out var f) ? f : kinds[kind] = DailyTrendRollup.NewFigures(buckets.Count);

        cancellationToken.ThrowIfCancellationRequested();
        ReadDims(connection, projectId, dim, otherDim, key, buckets, FiguresOf);
        var none = other;
        if (!noneStored)
        {
            // The whole project per day: every session is in exactly one of "has a tag" and "no tag" (dims 2 and 4), ~18 k
            // rollup rows for 90 days at a million sessions where the hourly rollup holds ~94 k.
            var whole = DailyTrendRollup.NewFigures(buckets.Count);
            ReadDims(connection, projectId, 2, 4, "", buckets, (_, _) => whole);
            none = whole.Select((f, i) => f.Minus(other[i])).ToArray();
        }

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

        // A kind's band of a bucket is walked in its own costs (migration 195) to the ranks wanted, tens of rows; so is
        // "no tag"'s. The sessions lacking a metadata key are the whole project's band (index only) minus "has the key"'s.
        using var ownBand = new KindBandWalk(connection, projectId, dim, key, buckets.WidthMs);
        using var noneBand = new KindBandWalk(connection, projectId, otherDim, key, buckets.WidthMs);
        await using var hasKeyBand = BandCosts.OfKind(snapshot, projectId, otherDim, key);
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
                points[i] = await DailyTrendRollup.BucketAsync(from, figures[i], async (bandValue, bandSessions, ranks) => kind is not null
                    ? ownBand.CostsAt(bandValue, from, to, bandSessions, ranks)
                    : noneStored
                        ? noneBand.CostsAt(bandValue, from, to, bandSessions, ranks)
                        : DailyTrendRollup.At(BandCosts.Minus(
                            await wholeBand.ReadAsync(bandValue, from, to, cancellationToken),
                            await hasKeyBand.ReadAsync(bandValue, from, to, cancellationToken)), bandSessions, ranks));
            }
            series.Add(new SessionSeries(kind, sessions, points));
        }
        snapshot.Commit();
        return new SessionTimeseries(buckets, by, series, all.Count - kept.Count);
    }

    /// <summary>
    /// Two dims' rollup rows of one key on the buckets' days: keyed by day first (migration 450), each dim is its own
    /// branch so that SQLite seeks one (day, dim, key) range per day; with <c>dim IN (…)</c> it sought the day only.
    /// </summary>
    internal static readonly string RollupSql = OfBothDims("session_kind_rollup_daily",
        "dim, kind, (day - $from) / $width AS bucket, turns, sessions, priced_sessions, errored * sessions, cost_high, cost_low");

    /// <summary>Two dims' cost band rows of one key on the buckets' days (as <see cref="RollupSql"/>).</summary>
    internal static readonly string BandsSql = OfBothDims("session_kind_cost_bands_daily", "dim, kind, (day - $from) / $width AS bucket, cost_band, sessions");

    private static string OfBothDims(string table, string columns) => string.Join("\nUNION ALL\n", new[] { "$dim", "$other" }.Select(dim => $"""
        SELECT {columns} FROM {table}
        WHERE project_id = $p AND dim = {dim} AND key = $key AND {KindCostDays.InBucket(table)} AND sessions <> 0
        """));

    /// <summary>
    /// Two dims' rollup and band rows of one key over the buckets' range, into the figures <paramref name="figuresOf"/>
    /// picks by dim and kind. These rows are most of a by= query's CPU (~190 k for by=metadata:feature over 90 days at a
    /// million sessions), so they are read through SQLitePCLRaw (<see cref="RawStatement"/>: ~40 % less CPU per row than
    /// a data reader here) and a row's kind is decoded only when it differs from the previous row's, without a string (<see cref="KindLookup"/>).
    /// </summary>
    private static void ReadDims(SqliteConnection connection, long projectId, int dim, int otherDim, string key, TimeBuckets buckets,
        Func<long, string, DailyTrendRollup.BucketFigures[]> figuresOf)
    {
        // The rows as stored, in key order (day by day), merged here: SQLite's GROUP BY would sort them first (~10× the read's CPU).
        using (var rollup = new RawStatement(connection, RollupSql))
        {
            Bind(rollup, projectId, dim, otherDim, key, buckets);
            var kinds = new KindLookup(figuresOf);
            while (rollup.Read())
                kinds.Of(rollup.GetInt64(0), rollup.GetUtf8(1))[(int)rollup.GetInt64(2)].Add(
                    (int)rollup.GetInt64(3), rollup.GetInt64(4), rollup.GetInt64(5), rollup.GetInt64(6), ExactSum.Join(rollup.GetInt64(7), rollup.GetInt64(8)));
        }
        using (var bands = new RawStatement(connection, BandsSql))
        {
            Bind(bands, projectId, dim, otherDim, key, buckets);
            var kinds = new KindLookup(figuresOf);
            while (bands.Read())
                kinds.Of(bands.GetInt64(0), bands.GetUtf8(1))[(int)bands.GetInt64(2)].AddBand(bands.GetInt64(3), bands.GetInt64(4));
        }
    }

    /// <summary>
    /// The figures of a row's (dim, kind). Rows come day by day (migration 450), so the kind changes every few rows: the
    /// previous row's kind is compared first, then the kind's UTF-8 is decoded into a reused buffer and looked up without
    /// a string; only a kind seen for the first time becomes one.
    /// </summary>
    private sealed class KindLookup(Func<long, string, DailyTrendRollup.BucketFigures[]> figuresOf)
    {
        private readonly Dictionary<long, Dictionary<string, DailyTrendRollup.BucketFigures[]>> _byDim = [];
        private char[] _chars = new char[64];
        private long _dim = -1;
        private byte[] _kind = new byte[64];
        private int _kindLength;
        private DailyTrendRollup.BucketFigures[] _figures = [];

        public DailyTrendRollup.BucketFigures[] Of(long dim, ReadOnlySpan<byte> kind)
        {
            if (dim == _dim && kind.SequenceEqual(_kind.AsSpan(0, _kindLength)))
                return _figures;
            if (!_byDim.TryGetValue(dim, out var kinds))
                _byDim[dim] = kinds = new Dictionary<string, DailyTrendRollup.BucketFigures[]>(StringComparer.Ordinal);
            if (_chars.Length < kind.Length)
                _chars = new char[kind.Length]; // UTF-8 never decodes to more chars than bytes
            var chars = _chars.AsSpan(0, System.Text.Encoding.UTF8.GetChars(kind, _chars));
            if (!kinds.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var figures))
            {
                var text = new string(chars);
                kinds[text] = figures = figuresOf(dim, text);
            }
            if (_kind.Length < kind.Length)
                _kind = new byte[kind.Length];
            kind.CopyTo(_kind);
            (_dim, _kindLength, _figures) = (dim, kind.Length, figures);
            return figures;
        }
    }

    private static void Bind(RawStatement statement, long projectId, int dim, int otherDim, string key, TimeBuckets buckets)
    {
        statement.Set("$p", projectId);
        statement.Set("$dim", dim);
        statement.Set("$other", otherDim);
        statement.Set("$key", key);
        statement.Set("$from", buckets.FromMs);
        statement.Set("$to", buckets.ToMs);
        statement.Set("$width", buckets.WidthMs);
    }
}
