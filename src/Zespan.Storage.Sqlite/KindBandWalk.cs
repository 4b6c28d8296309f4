using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The costs at given ranks of one kind's cost band in one bucket, read from session_kind_costs (migration 195) in cost
/// order from the nearer end and stopped at the last rank asked: a band's rows of one kind and UTC day are one key range
/// already in cost order, each row (cost, how many sessions have it), so the walk reads on average a quarter of the
/// band instead of all of it, and sorts nothing. A week's band spans seven days of that key, so SQLite orders its rows.
/// </summary>
internal sealed class KindBandWalk : IDisposable
{
    private readonly RawStatement _ascending, _descending;
    private readonly bool _range; // a bucket of several days

    /// <summary>Prepared once per query and run ~1,000 times, through SQLitePCLRaw (<see cref="RawStatement"/>), in the connection's open transaction.</summary>
    public KindBandWalk(SqliteConnection connection, long projectId, int dim, string key, long bucketWidthMs)
    {
        // One UTC day: day = $from keeps the primary key's cost order (no sort); wider buckets: a range, sorted by SQLite.
        _range = bucketWidthMs != Zespan.Core.Sessions.Trends.TimeBuckets.DayMs;
        var days = _range ? "day >= $from AND day < $to" : "day = $from";
        RawStatement Walk(string order)
        {
            var statement = new RawStatement(connection, $"""
                SELECT cost_pico, sessions FROM session_kind_costs
                WHERE project_id = $p AND dim = $dim AND key = $key AND kind = $kind AND cost_band = $band AND {days}
                ORDER BY cost_pico {order}
                """);
            statement.Set("$p", projectId);
            statement.Set("$dim", dim);
            statement.Set("$key", key);
            return statement;
        }
        (_ascending, _descending) = (Walk("ASC"), Walk("DESC"));
        Kind = "";
    }

    public string Kind
    {
        set
        {
            _ascending.Set("$kind", value);
            _descending.Set("$kind", value);
        }
    }

    /// <summary>
    /// The costs at ascending 0-based <paramref name="ranks"/> among the kind's <paramref name="bandSessions"/> priced
    /// costs of the band and bucket (the count the kind's band rollup holds).
    /// </summary>
    public long[] CostsAt(long band, long fromMs, long toMs, long bandSessions, long[] ranks)
    {
        // Ascending reaches the highest rank after ranks[^1] + 1 sessions; descending reaches the lowest after bandSessions - ranks[0].
        var descending = bandSessions - ranks[0] < ranks[^1] + 1;
        var statement = descending ? _descending : _ascending;
        statement.Set("$band", band);
        statement.Set("$from", fromMs);
        if (_range)
            statement.Set("$to", toMs);
        var costs = new long[ranks.Length];
        var found = 0;
        long passed = 0; // sessions walked so far
        while (found < ranks.Length && statement.Read())
        {
            var cost = statement.GetInt64(0);
            passed += statement.GetInt64(1);
            // Walking down, the rank wanted next is the highest not yet found; its distance from the top is bandSessions - 1 - rank.
            while (found < ranks.Length && (descending ? bandSessions - 1 - ranks[^(found + 1)] : ranks[found]) < passed)
            {
                costs[descending ? ranks.Length - 1 - found : found] = cost;
                found++;
            }
        }
        statement.Reset(); // a walk ends before the band's last row
        if (found < ranks.Length || passed > bandSessions)
            throw new InvalidOperationException($"The kind's cost band rollup counts {bandSessions} sessions in band {band} of bucket {fromMs}; its costs disagree.");
        return costs;
    }

    public void Dispose()
    {
        _ascending.Dispose();
        _descending.Dispose();
    }
}
