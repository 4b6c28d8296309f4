using Microsoft.Data.Sqlite;
using Zespan.Core;
using Zespan.Core.Costs;
using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The hourly model-usage rollup (migration 060) against the spans it summarises: random spans in two projects, written
/// shuffled in random batches with unchanged re-sends, corrections that move a call to another hour, model, cost or kind,
/// late arrivals and retention deletes. At each checkpoint the rollup must equal a full recomputation from the spans, and
/// cost by model and over time for random millisecond bounds must equal a GROUP BY over the raw spans.
/// </summary>
public sealed class HourlyCostRollupTests
{
    private static readonly string?[] Models = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "mystery", null];
    private static readonly long[] BucketSizes = [Hour, 2 * Hour, 3 * Hour, Day, 5 * 60_000, 90 * 60_000, 7 * Hour + 1];
    private const long Span3Days = 3 * Day;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2024)]
    [InlineData(31337)]
    public async Task RandomWritesReplacementsAndRetention_RollupAndAnswersMatchRawSpans(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Free, "a", "b");
        var (storage, projects) = (store.Storage, store.Projects);
        var truth = projects.ToDictionary(p => p, _ => new Dictionary<string, SpanRecord>(StringComparer.Ordinal));

        var events = RandomEvents(random, projects);
        var position = 0;
        var retentionDone = false;
        foreach (var checkpoint in new[] { events.Count * 40 / 100, events.Count * 70 / 100, events.Count })
        {
            while (position < checkpoint)
            {
                var batch = events.Skip(position).Take(Math.Min(random.Next(1, 60), checkpoint - position)).ToList();
                position += batch.Count;
                await storage.SpanWriter.WriteAsync(batch);
                foreach (var (projectId, span) in batch)
                    truth[projectId][span.Id] = span; // the last write wins
            }
            if (!retentionDone && checkpoint < events.Count)
            {
                // Delete the oldest part of project a in small batches; what arrives later for that period is a late arrival.
                var cutoff = Day0 + random.NextInt64(Day / 2, 2 * Day);
                await storage.Retention.DeleteSpansStartedBeforeAsync(projects[0], cutoff, random.Next(3, 40));
                foreach (var id in truth[projects[0]].Values.Where(s => s.StartMs < cutoff).Select(s => s.Id).ToList())
                    truth[projects[0]].Remove(id);
                retentionDone = true;
            }

            var context = $"seed {seed}, after {position}/{events.Count} writes";
            await using var connection = await storage.Database.OpenAsync();
            foreach (var projectId in projects)
                AssertSpansTableHolds(connection, projectId, truth[projectId], context);
            AssertRollupEqualsRecomputation(connection, context);
            foreach (var projectId in projects)
            {
                for (var i = 0; i < 25; i++)
                {
                    var (from, to) = RandomBounds(random);
                    var actual = await storage.Costs.ByModelAsync(projectId, new TimeRange(from, to));
                    AssertModelsEqual(RawByModel(connection, projectId, from, to), actual, $"{context}, project {projectId}, [{from}, {to})");
                }
                for (var i = 0; i < 12; i++)
                {
                    var bucket = BucketSizes[random.Next(BucketSizes.Length)];
                    var (from, to) = RandomBounds(random);
                    from ??= Day0 - Hour;
                    to ??= Day0 + Span3Days + Hour;
                    if (to <= from)
                        (from, to) = (to, from + 1);
                    var actual = await storage.Costs.OverTimeAsync(projectId, new TimeRange(from, to), bucket);
                    AssertBucketsEqual(RawOverTime(connection, projectId, from.Value, to.Value, bucket), actual, $"{context}, project {projectId}, bucket {bucket}, [{from}, {to})");
                }
            }
        }
    }

    [Fact]
    public async Task Migration_BackfillsTheHourlyRollupFromExistingSpans_AndDropsTheDailyOne()
    {
        var random = new Random(5);
        await using var store = await SeededStore.CreateAsync(Plan.Free, "a", "b");
        var (storage, projects) = (store.Storage, store.Projects);
        foreach (var chunk in RandomEvents(random, projects).Chunk(50))
            await storage.SpanWriter.WriteAsync(chunk);

        // Put the file back to its state before migration 060: no hourly rollup, the daily table present, and no cache
        // writes in any span (they came with migration 520; 530 adds their hourly column again, after 060's backfill).
        await using (var connection = await storage.Database.OpenAsync())
        {
            connection.Execute("""
                DROP TABLE model_usage_hourly;
                CREATE TABLE model_usage_daily (project_id INTEGER NOT NULL, day INTEGER NOT NULL, model TEXT NOT NULL, PRIMARY KEY (project_id, day, model)) WITHOUT ROWID;
                UPDATE spans SET cache_creation_input_tokens = 0;
                DELETE FROM schema_migrations WHERE version IN (60, 120, 530);
                """);
            SqliteConnection.ClearPool(connection);
        }
        await storage.Database.MigrateAsync();

        await using (var connection = await storage.Database.OpenAsync())
        {
            Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'model_usage_daily'"));
            Assert.True(connection.Scalar("SELECT COUNT(*) FROM model_usage_hourly") > 50, "the backfill wrote too few hourly rows");
            AssertRollupEqualsRecomputation(connection, "after the backfill");
        }
    }

    /// <summary>Every id written once, a quarter re-sent unchanged, a quarter corrected once or twice, all shuffled.</summary>
    private static List<ProjectSpan> RandomEvents(Random random, long[] projects)
    {
        var events = new List<ProjectSpan>();
        var count = random.Next(300, 450);
        for (var i = 0; i < count; i++)
        {
            var projectId = projects[random.Next(projects.Length)];
            var id = $"span-{i}";
            var first = RandomSpan(random, id);
            events.Add(new ProjectSpan(projectId, first));
            if (random.NextDouble() < 0.25)
                events.Add(new ProjectSpan(projectId, first));
            var corrections = random.NextDouble() < 0.25 ? random.Next(1, 3) : 0;
            for (var c = 0; c < corrections; c++)
                events.Add(new ProjectSpan(projectId, RandomSpan(random, id)));
        }
        return events.OrderBy(_ => random.Next()).ToList();
    }

    private static SpanRecord RandomSpan(Random random, string id)
    {
        var start = RandomInstant(random);
        var isLlm = random.NextDouble() < 0.85;
        var input = random.NextInt64(0, 5_000);
        var output = random.NextInt64(0, 2_000);
        var status = random.NextDouble() < 0.15 ? SpanStatus.Error : SpanStatus.Ok;
        long? cost = random.NextDouble() < 0.2 ? null : random.NextInt64(0, 50_000_000_000);
        var span = Llm(id, random.NextDouble() < 0.1 ? null : $"s{random.Next(20)}", start, random.NextInt64(0, 60_000),
            Models[random.Next(Models.Length)], input, output, cost, traceId: $"t{random.Next(8)}", status: status);
        var cached = random.NextInt64(0, input + 1);
        span = span with { Usage = new TokenUsage(input, output, cached, random.NextInt64(0, output + 1), random.NextInt64(0, input - cached + 1)) };
        return isLlm ? span : span with { Kind = SpanKind.Span, Model = null, Usage = default, CostPico = null };
    }

    /// <summary>An instant in the three test days; a third of them on or next to an hour boundary, where off-by-one errors live.</summary>
    private static long RandomInstant(Random random)
    {
        var instant = Day0 + random.NextInt64(Span3Days);
        return random.Next(3) == 0 ? instant - instant % Hour + random.Next(-1, 2) : instant;
    }

    private static (long? From, long? To) RandomBounds(Random random)
    {
        long? from = random.Next(8) == 0 ? null : RandomInstant(random);
        long? to = random.Next(8) == 0 ? null : random.Next(4) == 0 && from is { } f ? f + random.NextInt64(0, 3 * Hour) : RandomInstant(random);
        return from is { } a && to is { } b && b < a && random.Next(5) != 0 ? (b, a) : (from, to);
    }

    private static void AssertSpansTableHolds(SqliteConnection connection, long projectId, Dictionary<string, SpanRecord> expected, string context)
    {
        var llm = expected.Values.Where(s => s.Kind == SpanKind.Llm).ToList();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), coalesce(SUM(kind = 1), 0), coalesce(SUM(CASE WHEN kind = 1 THEN coalesce(cost_pico, 0) END), 0), coalesce(SUM(start_ms), 0) FROM spans WHERE project_id = $p";
        command.Parameters.AddWithValue("$p", projectId);
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.True(expected.Count == reader.GetInt64(0), $"{context}: {reader.GetInt64(0)} spans stored in project {projectId}, expected {expected.Count}");
        Assert.Equal(llm.Count, reader.GetInt64(1));
        Assert.Equal(llm.Sum(s => s.CostPico ?? 0), reader.GetInt64(2));
        Assert.Equal(expected.Values.Sum(s => s.StartMs), reader.GetInt64(3));
    }

    private static void AssertRollupEqualsRecomputation(SqliteConnection connection, string context)
    {
        const string sums = "calls, cost_high * 4294967296 + cost_low, unpriced_calls, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, errors";
        // Rows whose calls all moved away or were deleted may stay behind as all-zero rows; they add nothing to any answer.
        var rollup = Rows(connection, $"SELECT project_id, hour, model, {sums} FROM model_usage_hourly WHERE calls != 0 ORDER BY 1, 2, 3");
        var recomputed = Rows(connection, """
            SELECT project_id, start_ms - ((start_ms % 3600000) + 3600000) % 3600000, coalesce(model, ''), COUNT(*), SUM(coalesce(cost_pico, 0)),
                   SUM(cost_pico IS NULL), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(reasoning_tokens), SUM(status)
            FROM spans WHERE kind = 1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """);
        Assert.True(recomputed.Count > 0, $"{context}: no LLM spans to check");
        Assert.Equal(recomputed, rollup);
        Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM model_usage_hourly WHERE calls = 0 AND (cost_high | cost_low | unpriced_calls | input_tokens | output_tokens | cached_input_tokens | reasoning_tokens | errors | cache_creation_input_tokens) != 0"));
        Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM model_usage_hourly WHERE hour % 3600000 != 0"));
    }

    private static List<ModelCost> RawByModel(SqliteConnection connection, long projectId, long? from, long? to)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT model, COUNT(*), SUM(coalesce(cost_pico, 0)), SUM(cost_pico IS NULL), SUM(input_tokens), SUM(output_tokens),
                   SUM(cached_input_tokens), SUM(reasoning_tokens), SUM(status), SUM(cache_creation_input_tokens)
            FROM spans WHERE project_id = $p AND kind = 1 AND ($from IS NULL OR start_ms >= $from) AND ($to IS NULL OR start_ms < $to)
            GROUP BY model
            """;
        command.Parameters.AddWithValue("$p", projectId);
        command.Parameters.AddWithValue("$from", (object?)from ?? DBNull.Value);
        command.Parameters.AddWithValue("$to", (object?)to ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var models = new List<ModelCost>();
        while (reader.Read())
        {
            models.Add(new ModelCost(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9)));
        }
        return models;
    }

    /// <summary>Buckets start at multiples of the bucket size since the epoch (the API's alignment); each sums the calls inside both it and the range.</summary>
    private static List<CostBucket> RawOverTime(SqliteConnection connection, long projectId, long from, long to, long bucketMs)
    {
        var calls = new List<(long Start, long Cost, long Tokens, bool Unpriced)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT start_ms, coalesce(cost_pico, 0), input_tokens + output_tokens, cost_pico IS NULL FROM spans WHERE project_id = $p AND kind = 1";
            command.Parameters.AddWithValue("$p", projectId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
                calls.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetBoolean(3)));
        }
        var buckets = new List<CostBucket>();
        for (var start = from - ((from % bucketMs) + bucketMs) % bucketMs; start < to; start += bucketMs)
        {
            var inside = calls.Where(c => c.Start >= Math.Max(from, start) && c.Start < Math.Min(to, start + bucketMs)).ToList();
            buckets.Add(new CostBucket(start, inside.Count, inside.Sum(c => c.Cost), inside.Sum(c => c.Tokens), inside.Count(c => c.Unpriced)));
        }
        return buckets;
    }

    private static void AssertModelsEqual(List<ModelCost> expected, IReadOnlyList<ModelCost> actual, string context)
    {
        Assert.True(expected.OrderBy(m => m.Model, StringComparer.Ordinal).SequenceEqual(actual.OrderBy(m => m.Model, StringComparer.Ordinal)),
            $"{context}\nexpected: {string.Join("; ", expected.OrderBy(m => m.Model, StringComparer.Ordinal))}\nactual:   {string.Join("; ", actual.OrderBy(m => m.Model, StringComparer.Ordinal))}");
        Assert.Equal(actual.OrderByDescending(m => m.CostPico).ThenByDescending(m => m.Calls).ThenBy(m => m.Model, Zespan.Core.Spans.CodePointOrder.Instance), actual);
    }

    private static void AssertBucketsEqual(List<CostBucket> expected, IReadOnlyList<CostBucket> actual, string context)
    {
        Assert.True(expected.Count == actual.Count, $"{context}: {actual.Count} buckets, expected {expected.Count}");
        for (var i = 0; i < expected.Count; i++)
            Assert.True(expected[i] == actual[i], $"{context}: bucket {i} is {actual[i]}, expected {expected[i]}");
    }

    private static List<string> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i))));
        return rows;
    }
}
