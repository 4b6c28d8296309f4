using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The costs at given ranks of one cost band in one bucket, read from session_kind_costs (migration 195) in cost order
/// from the nearer end and stopped at the last rank asked: a band's rows of one kind and UTC day are one key range
/// already in cost order, each row (cost, how many sessions have it), so the walk reads on average a quarter of the
/// band instead of all of it, and sorts nothing. A week's band is seven such ranges (<see cref="KindCostDays"/>), so SQLite orders its rows.
/// A walk may cover several kinds that no session is in twice (<see cref="WholeProject"/>): their ranges are merged in
/// cost order as they are read.
/// </summary>
internal sealed class KindBandWalk : IDisposable
{
    private readonly (RawStatement Ascending, RawStatement Descending)[] _sources;
    private readonly bool _range; // a bucket of several days

    /// <summary>One kind of one dim and key (<see cref="Kind"/> set per series).</summary>
    public KindBandWalk(SqliteConnection connection, long projectId, int dim, string key, long bucketWidthMs)
        : this(connection, projectId, [dim], key, bucketWidthMs)
    {
    }

    /// <summary>Prepared once per query and run ~1,000 times, through SQLitePCLRaw (<see cref="RawStatement"/>), in the connection's open transaction.</summary>
    private KindBandWalk(SqliteConnection connection, long projectId, int[] dims, string key, long bucketWidthMs)
    {
        // One UTC day: day = $from keeps the primary key's cost order (no sort); wider buckets: a seek per day, sorted by SQLite.
        _range = !IsOneDay(bucketWidthMs);
        var days = DaysOf(bucketWidthMs);
        RawStatement Walk(int dim, string order)
        {
            var statement = new RawStatement(connection, WalkSql(days, order));
            statement.Set("$p", projectId);
            statement.Set("$dim", dim);
            statement.Set("$key", key);
            return statement;
        }
        _sources = Array.ConvertAll(dims, dim => (Walk(dim, "ASC"), Walk(dim, "DESC")));
        Kind = "";
    }

    /// <summary>The walk's condition on day for buckets of this width.</summary>
    internal static string DaysOf(long bucketWidthMs) => IsOneDay(bucketWidthMs) ? "day = $from" : KindCostDays.OfCosts;

    private static bool IsOneDay(long bucketWidthMs) => bucketWidthMs == Zespan.Core.Sessions.Trends.TimeBuckets.DayMs;

    /// <summary>One kind's costs of a band on the given days (<c>day = $from</c> or <see cref="KindCostDays.OfCosts"/>), in cost order.</summary>
    internal static string WalkSql(string days, string order) => $"""
        SELECT cost_pico, sessions FROM session_kind_costs
        WHERE project_id = $p AND dim = $dim AND key = $key AND kind = $kind AND cost_band = $band AND {days}
        ORDER BY cost_pico {order}
        """;

    /// <summary>
    /// Every priced session of the project: each is in exactly one of "has a tag" (dim 2) and "no tag" (dim 4, migration
    /// 300), both of kind "". Why not the sessions' band index (<see cref="BandCosts.WholeProject"/>): a band there is one
    /// index entry per session, read whole and sorted — ~12 % of a day's sessions when costs repeat (one band per turn
    /// count at a flat price per turn) — where these rows count equal costs once and the walk stops at the rank.
    /// </summary>
    public static KindBandWalk WholeProject(SqliteConnection connection, long projectId, long bucketWidthMs) =>
        new(connection, projectId, [2, 4], "", bucketWidthMs);

    public string Kind
    {
        set
        {
            foreach (var (ascending, descending) in _sources)
            {
                ascending.Set("$kind", value);
                descending.Set("$kind", value);
            }
        }
    }

    /// <summary>
    /// The costs at ascending 0-based <paramref name="ranks"/> among the walk's <paramref name="bandSessions"/> priced
    /// costs of the band and bucket (the count the band rollup holds).
    /// </summary>
    public long[] CostsAt(long band, long fromMs, long toMs, long bandSessions, long[] ranks)
    {
        // Ascending reaches the highest rank after ranks[^1] + 1 sessions; descending reaches the lowest after bandSessions - ranks[0].
        var descending = bandSessions - ranks[0] < ranks[^1] + 1;
        var streams = new Stream[_sources.Length];
        for (var i = 0; i < streams.Length; i++)
        {
            var statement = descending ? _sources[i].Descending : _sources[i].Ascending;
            statement.Set("$band", band);
            statement.Set("$from", fromMs);
            if (_range)
                statement.Set("$to", toMs);
            streams[i] = new Stream(statement);
        }
        var costs = new long[ranks.Length];
        var found = 0;
        long passed = 0; // sessions walked so far
        while (found < ranks.Length && Next(streams, descending) is { } next)
        {
            var cost = next.Cost;
            passed += next.Sessions;
            next.Advance();
            // Walking down, the rank wanted next is the highest not yet found; its distance from the top is bandSessions - 1 - rank.
            while (found < ranks.Length && (descending ? bandSessions - 1 - ranks[^(found + 1)] : ranks[found]) < passed)
            {
                costs[descending ? ranks.Length - 1 - found : found] = cost;
                found++;
            }
        }
        foreach (var stream in streams)
            stream.Statement.Reset(); // a walk ends before the band's last row
        if (found < ranks.Length || passed > bandSessions)
            throw new InvalidOperationException($"The cost band rollup counts {bandSessions} sessions in band {band} of bucket {fromMs}; the kinds' costs disagree.");
        return costs;
    }

    /// <summary>The stream whose current cost comes next in the walk's order; null when every stream has ended.</summary>
    private static Stream? Next(Stream[] streams, bool descending)
    {
        Stream? next = null;
        foreach (var stream in streams)
        {
            if (stream.Ended)
                continue;
            if (next is null || (descending ? stream.Cost > next.Cost : stream.Cost < next.Cost))
                next = stream;
        }
        return next;
    }

    /// <summary>One kind's rows in the walk's order, its current row read ahead.</summary>
    private sealed class Stream
    {
        public readonly RawStatement Statement;
        public bool Ended;
        public long Cost, Sessions;

        public Stream(RawStatement statement)
        {
            Statement = statement;
            Advance();
        }

        public void Advance()
        {
            Ended = !Statement.Read();
            if (!Ended)
                (Cost, Sessions) = (Statement.GetInt64(0), Statement.GetInt64(1));
        }
    }

    public void Dispose()
    {
        foreach (var (ascending, descending) in _sources)
        {
            ascending.Dispose();
            descending.Dispose();
        }
    }
}
