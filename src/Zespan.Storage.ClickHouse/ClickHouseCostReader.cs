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
        // Calls, cost, unpriced, input, output, cached, reasoning, errors, cache writes per (has model, model).
        var totals = new Dictionary<(bool HasModel, string Model), (long Calls, Int128 Cost, long[] Sums)>();
        void Add(JsonElement[] r)
        {
            var key = (r[0].Flag(), r[1].Text());
            var (calls, cost, sums) = totals.TryGetValue(key, out var t) ? t : (0, 0, new long[7]);
            for (var i = 0; i < 7; i++)
                sums[i] += r[5 + i].Long();
            totals[key] = (calls + r[2].Long(), cost + JsonCell.Cost(r[3], r[4]), sums);
        }
        await ForEachPartAsync(projectId, range, null, sql.CostCellsByModel, sql.CostOfCallsByModel, Add, cancellationToken);
        return totals
            .Where(t => t.Value.Calls > 0)
            .Select(t => new ModelCost(t.Key.HasModel ? t.Key.Model : null, t.Value.Calls, t.Value.Cost,
                t.Value.Sums[0], t.Value.Sums[1], t.Value.Sums[2], t.Value.Sums[3], t.Value.Sums[4], t.Value.Sums[5], t.Value.Sums[6]))
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
    /// every call is read from its span. The parts' statements run at once, each on its own parameters; their rows are
    /// added one at a time, as each answer is parsed (ClickHouseHttp.QueryAsync: add takes the cells' values).
    /// </summary>
    private async Task ForEachPartAsync(long projectId, TimeRange range, (long First, long Length)? buckets, Func<bool, string> cells,
        Func<CostCalls, string> ofCalls, Action<JsonElement[]> add, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>
        {
            ["project"] = projectId, ["from"] = range.FromMs ?? long.MinValue, ["to"] = range.ToMs ?? long.MaxValue,
        };
        var gate = new Lock();
        if (buckets is { } bucket)
        {
            parameters["first"] = bucket.First;
            parameters["bucket"] = bucket.Length;
            if (bucket.Length % HourRange.HourMs != 0)
            {
                await ReadAsync(ofCalls(CostCalls.All), parameters);
                return;
            }
        }
        var hours = HourRange.Split(range.FromMs, range.ToMs);
        var edges = EdgeHour.Of(hours);
        if (edges.Count > 2)
            throw new InvalidOperationException($"A range has at most two partial hours, not {edges.Count}.");
        parameters["hours_from"] = hours.HasWholeHours ? hours.WholeFromMs ?? long.MinValue : 0L;
        parameters["hours_to"] = hours.HasWholeHours ? hours.WholeToMs ?? long.MaxValue : 0L;
        for (var i = 0; i < 2; i++)
        {
            // An absent edge: an hour no cell has and an empty part.
            var edge = i < edges.Count ? edges[i] : new EdgeHour(long.MinValue, 0, 0);
            parameters[$"edge{i + 1}_hour"] = edge.Hour;
            parameters[$"edge{i + 1}_from"] = edge.FromMs;
            parameters[$"edge{i + 1}_to"] = edge.ToMs;
            parameters[$"edge{i + 1}_started"] = edge.StartedAtLeast;
            parameters[$"edge{i + 1}_ended"] = edge.EndedBefore;
        }
        await Task.WhenAll(CallsOfSessionsAsync(CostCalls.OfNoSession, [""], parameters), CellsThenStraddlingSessionsAsync());

        // The cells, then the calls of the sessions active at a cut of a partial hour, which the cells' read names: their
        // cells cannot be split, so their spans are read.
        async Task CellsThenStraddlingSessionsAsync()
        {
            if (!hours.HasWholeHours && edges.Count == 0)
                return;
            var straddling = new HashSet<(long Edge, string Session)>();
            await http.QueryAsync(cells(edges.Count > 0), parameters, r =>
            {
                lock (gate)
                    add(r);
                if (edges.Count > 0)
                {
                    foreach (var pair in r[^1].EnumerateArray())
                        straddling.Add((pair[0].Long(), pair[1].Text()));
                }
                return true;
            }, cancellationToken);
            if (straddling.Count == 0)
                return;
            var own = new Dictionary<string, object?>(parameters)
            {
                ["straddling1"] = straddling.Where(s => s.Edge == 1).Select(s => s.Session).ToList(),
                ["straddling2"] = straddling.Where(s => s.Edge == 2).Select(s => s.Session).ToList(),
            };
            await CallsOfSessionsAsync(CostCalls.OfStraddlingSessions, straddling.Select(s => s.Session).Distinct().ToList(), own);
        }

        // A span-level part over some sessions' rows ('' for no session), with the ids of their spans a re-send moved.
        async Task CallsOfSessionsAsync(CostCalls calls, IReadOnlyList<string> sessions, Dictionary<string, object?> shared)
        {
            var moved = await http.QueryAsync(sql.MovedSpanIdsOfSessions, new Dictionary<string, object?> { ["project"] = projectId, ["sessions"] = sessions },
                r => r[1].Text(), cancellationToken);
            await ReadAsync(ofCalls(calls), new Dictionary<string, object?>(shared) { ["moved_span_ids"] = moved });
        }

        Task ReadAsync(string statement, Dictionary<string, object?> bound) => http.QueryAsync(statement, bound, r =>
        {
            lock (gate)
                add(r);
            return true;
        }, cancellationToken);
    }
}
