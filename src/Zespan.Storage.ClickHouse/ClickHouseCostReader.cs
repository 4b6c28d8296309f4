using Zespan.Core;
using Zespan.Core.Costs;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>LLM cost by model and over time, from each span's newest version.</summary>
public sealed class ClickHouseCostReader(ClickHouseHttp http, ClickHouseSql sql) : ICostReader
{
    public async Task<IReadOnlyList<ModelCost>> ByModelAsync(long projectId, TimeRange range, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["from"] = range.FromMs ?? long.MinValue, ["to"] = range.ToMs ?? long.MaxValue };
        var rows = await http.QueryAsync(sql.CostByModel, parameters,
            r => new ModelCost(r[1].TextIf(r[0]), r[2].Long(), JsonCell.Cost(r[3], r[4]), r[5].Long(), r[6].Long(), r[7].Long(), r[8].Long(), r[9].Long(), r[10].Long()),
            cancellationToken);
        return rows
            .OrderByDescending(m => m.CostPico).ThenByDescending(m => m.Calls).ThenBy(m => m.Model, Zespan.Core.Spans.CodePointOrder.Instance)
            .ToList();
    }

    public async Task<IReadOnlyList<CostBucket>> OverTimeAsync(long projectId, TimeRange range, long bucketMs, CancellationToken cancellationToken = default)
    {
        var from = range.FromMs ?? throw new ArgumentException("Cost over time needs a start.", nameof(range));
        var to = range.ToMs ?? throw new ArgumentException("Cost over time needs an end.", nameof(range));
        if (bucketMs <= 0 || (to - from) / bucketMs > 10_000)
            throw new ArgumentException("Choose a bucket that gives at most 10,000 points.", nameof(bucketMs));
        // Buckets start at multiples of bucketMs since the epoch, so a day bucket is a UTC day.
        var first = from - ((from % bucketMs) + bucketMs) % bucketMs;
        var buckets = new SortedDictionary<long, CostBucket>();
        for (var start = first; start < to; start += bucketMs)
            buckets[start] = new CostBucket(start, 0, 0, 0, 0);
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["from"] = from, ["to"] = to, ["first"] = first, ["bucket"] = bucketMs };
        var rows = await http.QueryAsync(sql.CostOverTime, parameters,
            r => new CostBucket(r[0].Long(), r[1].Long(), JsonCell.Cost(r[2], r[3]), r[4].Long(), r[5].Long()), cancellationToken);
        foreach (var bucket in rows)
            buckets[bucket.StartMs] = bucket;
        return buckets.Values.ToList();
    }
}
