using Microsoft.Data.Sqlite;
using Zespan.Core;
using Zespan.Core.Costs;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Cost by model and over time. Whole UTC hours come from the hourly rollup; the partial hours at either end of the range
/// are read from the raw spans, so any range is exact while reading at most two hours of spans.
/// </summary>
public sealed class SqliteCostReader(SqliteDatabase database) : ICostReader
{
    // An hour's cost is kept in two parts (migration 120), summed like ExactSum.Of: cost_low < 2^32 per row.
    private const string HourlyCost = "coalesce(SUM(cost_high), 0), coalesce(SUM(cost_low), 0)";

    // Calls, unpriced calls, tokens, errors and cache writes, then the cost in the two parts of ExactSum (columns 9 and 10).
    internal static readonly string RawByModel = $"""
        SELECT coalesce(model, ''), COUNT(*), SUM(cost_pico IS NULL), SUM(input_tokens), SUM(output_tokens),
               SUM(cached_input_tokens), SUM(reasoning_tokens), SUM(status), SUM(cache_creation_input_tokens), {ExactSum.Of("coalesce(cost_pico, 0)")}
        FROM spans WHERE project_id = $p AND kind = 1 AND start_ms >= $from AND start_ms < $to GROUP BY 1
        """;

    private static readonly string RollupByModel = $"""
        SELECT model, SUM(calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens),
               SUM(cached_input_tokens), SUM(reasoning_tokens), SUM(errors), SUM(cache_creation_input_tokens), {HourlyCost}
        FROM model_usage_hourly WHERE project_id = $p AND hour >= $from AND hour < $to GROUP BY 1
        """;

    public async Task<IReadOnlyList<ModelCost>> ByModelAsync(long projectId, TimeRange range, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Calls, unpriced, input, output, cached, reasoning, errors, cache writes, cost: Int128, so no sum across hours can overflow.
        var totals = new Dictionary<string, Int128[]>(StringComparer.Ordinal);
        foreach (var (sql, from, to) in Split(range))
        {
            await using var command = connection.Command(sql);
            command.With("$p", projectId).With("$from", from).With("$to", to);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var model = reader.GetString(0);
                if (!totals.TryGetValue(model, out var sums))
                    totals[model] = sums = new Int128[9];
                for (var i = 0; i < 8; i++)
                    sums[i] += reader.IsDBNull(i + 1) ? 0 : reader.GetInt64(i + 1);
                sums[8] += ExactSum.Read(reader, 9);
            }
        }
        return totals
            .Where(t => t.Value[0] != 0)
            .Select(t => new ModelCost(t.Key.Length == 0 ? null : t.Key, (long)t.Value[0], t.Value[8], (long)t.Value[1], (long)t.Value[2], (long)t.Value[3], (long)t.Value[4],
                (long)t.Value[5], (long)t.Value[6], (long)t.Value[7]))
            .OrderByDescending(m => m.CostPico).ThenByDescending(m => m.Calls).ThenBy(m => m.Model, CodePointOrder.Instance)
            .ToList();
    }

    public async Task<IReadOnlyList<CostBucket>> OverTimeAsync(long projectId, TimeRange range, long bucketMs, CancellationToken cancellationToken = default)
    {
        if (range.FromMs is not { } from || range.ToMs is not { } to || to <= from)
            throw new ArgumentException("Cost over time needs a closed range with from < to.", nameof(range));
        if (bucketMs <= 0 || (to - from) / bucketMs > 10_000)
            throw new ArgumentException("Choose a bucket that gives at most 10,000 points.", nameof(bucketMs));

        var first = from - ((from % bucketMs) + bucketMs) % bucketMs;
        // Calls, cost, tokens, unpriced calls.
        var buckets = new SortedDictionary<long, Int128[]>();
        for (var start = first; start < to; start += bucketMs)
            buckets[start] = new Int128[4];

        await using var connection = await database.OpenAsync(cancellationToken);
        void Add(long bucketStart, long calls, Int128 cost, long tokens, long unpriced)
        {
            var sums = buckets[bucketStart];
            sums[0] += calls;
            sums[1] += cost;
            sums[2] += tokens;
            sums[3] += unpriced;
        }
        // Buckets start at multiples of bucketMs since the epoch, so a bucket of whole hours is made of whole UTC hours and
        // can be summed from the rollup (only the partial hours at the range's ends read spans); any other size reads spans.
        var ranges = bucketMs % HourRange.HourMs == 0 ? Split(range).ToList() : [(string.Empty, from, to)];
        foreach (var (sql, rangeFrom, rangeTo) in ranges)
        {
            var isRollup = ReferenceEquals(sql, RollupByModel);
            await using var command = connection.Command(isRollup
                ? $"SELECT ($first + (hour - $first) / $bucket * $bucket), SUM(calls), SUM(input_tokens + output_tokens), SUM(unpriced_calls), {HourlyCost} FROM model_usage_hourly WHERE project_id = $p AND hour >= $from AND hour < $to GROUP BY 1"
                : $"SELECT ($first + (start_ms - $first) / $bucket * $bucket), COUNT(*), SUM(input_tokens + output_tokens), SUM(cost_pico IS NULL), {ExactSum.Of("coalesce(cost_pico, 0)")} FROM spans WHERE project_id = $p AND kind = 1 AND start_ms >= $from AND start_ms < $to GROUP BY 1");
            command.With("$p", projectId).With("$from", rangeFrom).With("$to", rangeTo).With("$first", first).With("$bucket", bucketMs);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                Add(reader.GetInt64(0), reader.GetInt64(1), ExactSum.Read(reader, 4), reader.GetInt64(2), reader.GetInt64(3));
        }
        return buckets.Select(b => new CostBucket(b.Key, (long)b.Value[0], b.Value[1], (long)b.Value[2], (long)b.Value[3])).ToList();
    }

    /// <summary>Splits [from, to) into raw-span edges and the whole UTC hours between them.</summary>
    private static IEnumerable<(string Sql, long From, long To)> Split(TimeRange range)
    {
        var from = range.FromMs ?? long.MinValue / 2;
        var to = range.ToMs ?? long.MaxValue / 2;
        if (to <= from)
            yield break;
        var firstWholeHour = range.FromMs is null ? from : HourRange.Ceiling(from);
        var endWholeHours = range.ToMs is null ? to : HourRange.Floor(to);
        if (firstWholeHour >= endWholeHours)
        {
            yield return (RawByModel, from, to);
            yield break;
        }
        if (from < firstWholeHour)
            yield return (RawByModel, from, firstWholeHour);
        yield return (RollupByModel, firstWholeHour, endWholeHours);
        if (endWholeHours < to)
            yield return (RawByModel, endWholeHours, to);
    }
}
