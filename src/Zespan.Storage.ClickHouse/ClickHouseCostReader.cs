using System.Text.Json;
using Zespan.Core;
using Zespan.Core.Costs;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.ClickHouse.ClickHouseSql;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// LLM cost by model and over time: whole UTC hours of sessions' calls from their rows' cells, the calls of no session
/// and the partial hours at either end of the range from each span's newest version (see ClickHouseSql.Costs.cs).
/// </summary>
public sealed class ClickHouseCostReader(ClickHouseHttp http, ClickHouseSql sql) : ICostReader
{
    public async Task<IReadOnlyList<ModelCost>> ByModelAsync(long projectId, TimeRange range, CancellationToken cancellationToken = default)
    {
        // Calls, cost, unpriced, input, output, cached, reasoning, errors per (has model, model).
        var totals = new Dictionary<(bool HasModel, string Model), (long Calls, Int128 Cost, long[] Sums)>();
        void Add(JsonElement[] r)
        {
            var key = (r[0].Flag(), r[1].Text());
            var (calls, cost, sums) = totals.TryGetValue(key, out var t) ? t : (0, 0, new long[6]);
            for (var i = 0; i < 6; i++)
                sums[i] += r[5 + i].Long();
            totals[key] = (calls + r[2].Long(), cost + JsonCell.Cost(r[3], r[4]), sums);
        }
        await ForEachPartAsync(projectId, range, null, sql.CostCellsByModel, sql.CostOfCallsByModel, Add, cancellationToken);
        return totals
            .Where(t => t.Value.Calls > 0)
            .Select(t => new ModelCost(t.Key.HasModel ? t.Key.Model : null, t.Value.Calls, t.Value.Cost,
                t.Value.Sums[0], t.Value.Sums[1], t.Value.Sums[2], t.Value.Sums[3], t.Value.Sums[4], t.Value.Sums[5]))
            .OrderByDescending(m => m.CostPico).ThenByDescending(m => m.Calls).ThenBy(m => m.Model, CodePointOrder.Instance)
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
        void Add(JsonElement[] r)
        {
            var b = buckets[r[0].Long()];
            buckets[b.StartMs] = new CostBucket(b.StartMs, b.Calls + r[1].Long(), b.CostPico + JsonCell.Cost(r[2], r[3]), b.TotalTokens + r[4].Long(), b.UnpricedCalls + r[5].Long());
        }
        await ForEachPartAsync(projectId, range, (first, bucketMs), sql.CostCellsOverTime, sql.CostOfCallsOverTime, Add, cancellationToken);
        return buckets.Values.ToList();
    }

    /// <summary>
    /// Reads the range's calls in their disjoint parts (see ClickHouseSql.Costs.cs) and hands every row to
    /// <paramref name="add"/>. Buckets that are not whole hours (<paramref name="buckets"/>) cannot be made of cells: then
    /// every call is read from its span.
    /// </summary>
    private async Task ForEachPartAsync(long projectId, TimeRange range, (long First, long Length)? buckets, string cells,
        Func<CostCalls, string> ofCalls, Action<JsonElement[]> add, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>
        {
            ["project"] = projectId, ["from"] = range.FromMs ?? long.MinValue, ["to"] = range.ToMs ?? long.MaxValue,
        };
        // The rows' cells are read while the answer is parsed (ClickHouseHttp.QueryAsync): add takes their values.
        Task ReadAsync(string statement) => http.QueryAsync(statement, parameters, r =>
        {
            add(r);
            return true;
        }, cancellationToken);
        if (buckets is { } bucket)
        {
            parameters["first"] = bucket.First;
            parameters["bucket"] = bucket.Length;
            if (bucket.Length % HourRange.HourMs != 0)
            {
                await ReadAsync(ofCalls(CostCalls.All));
                return;
            }
        }
        var hours = HourRange.Split(range.FromMs, range.ToMs);
        if (hours.HasWholeHours)
        {
            parameters["hours_from"] = hours.WholeFromMs ?? long.MinValue;
            parameters["hours_to"] = hours.WholeToMs ?? long.MaxValue;
            await ReadAsync(cells);
        }
        var moved = await http.QueryAsync(sql.MovedSpanIdsOfSessions, new Dictionary<string, object?> { ["project"] = projectId, ["sessions"] = new[] { "" } },
            r => r[1].Text(), cancellationToken);
        parameters["moved_span_ids"] = moved;
        await ReadAsync(ofCalls(CostCalls.OfNoSession));
        if (hours.Edges.Count == 0)
            return;
        for (var i = 0; i < 2; i++)
        {
            var (edgeFrom, edgeTo) = i < hours.Edges.Count ? hours.Edges[i] : (0, 0);
            parameters[$"edge{i + 1}_from"] = edgeFrom ?? long.MinValue;
            parameters[$"edge{i + 1}_to"] = edgeTo ?? long.MaxValue;
        }
        await ReadAsync(ofCalls(CostCalls.InEdges));
    }
}
