using System.Diagnostics;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// Session-grain trends and anomalies at a million sessions, in-process on a real migrated SQLite file: the session rows
/// (and their tags and metadata values) are inserted directly, so the triggers keep every rollup as ingestion would,
/// without generating the ten million spans behind them (the readers measured here read only the session rows).
/// </summary>
public sealed class SessionTrendsBenchmark(string folder, int sessions, int days, int runs)
{
    private static readonly string[] Tags = ["support", "sales", "agent", "beta", "internal"];
    private static readonly string[] Features = ["support-chat", "search", "summarize", "code-review", "onboarding", "triage"];

    public async Task RunAsync()
    {
        var path = Path.Combine(folder, "zespan.db");
        var storage = new SqliteStorage(path, TimeProvider.System);
        await storage.Database.MigrateAsync();
        var end = DateTimeOffset.Parse("2026-11-24T00:00:00Z").ToUnixTimeMilliseconds();
        var start = end - days * TimeBuckets.DayMs;
        await using (var connection = await storage.Database.OpenAsync())
        {
            var existing = (long)(await new Microsoft.Data.Sqlite.SqliteCommand("SELECT count(*) FROM sessions", connection).ExecuteScalarAsync())!;
            if (existing < sessions)
                await LoadAsync(connection, sessions, start, end);
            // Readers then read the database file, not a multi-gigabyte write-ahead log left by the load.
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync();
        }
        Console.WriteLine($"{sessions:N0} sessions over {days} days in {path}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

        var reader = storage.SessionKinds;
        var detector = BenchDetector.Create(reader);
        var ninetyDays = TimeBuckets.Covering(BucketSize.Day, end - 90 * TimeBuckets.DayMs, end);
        var cases = new (string Name, Func<Task> Run)[]
        {
            ("Timeseries, 90 daily buckets, whole project", () => Series(reader, ninetyDays, null)),
            ("Timeseries, 90 daily buckets, by tag", () => Series(reader, ninetyDays, new SessionGrouping.ByTag())),
            ("Timeseries, 90 daily buckets, by metadata:feature", () => Series(reader, ninetyDays, new SessionGrouping.ByMetadata("feature"))),
            ("Timeseries, 13 weekly buckets, whole project", () => Series(reader, TimeBuckets.Covering(BucketSize.Week, end - 90 * TimeBuckets.DayMs, end), null)),
            ("Timeseries, 168 hourly buckets (7 days), whole project", () => Series(reader, TimeBuckets.Covering(BucketSize.Hour, end - 7 * TimeBuckets.DayMs, end), null)),
            ("Anomalies, 7-day baseline, whole project", () => detector.FindAsync(1, new AnomalyQuery { Filter = new SessionFilter { ToMs = end } })),
            ("Anomalies, 7-day baseline, by metadata:feature", () => detector.FindAsync(1, new AnomalyQuery { Filter = new SessionFilter { ToMs = end }, By = new SessionGrouping.ByMetadata("feature") })),
        };
        // Wall clock and the process's CPU time per run: on a shared, overloaded machine the CPU time is the steadier figure.
        Console.WriteLine("| Query | median wall ms | min | max | median CPU ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var process = Process.GetCurrentProcess();
        foreach (var (name, run) in cases)
        {
            var cpu = new List<double>();
            var (median, min, max) = await Stats.TimeAsync(async () =>
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                await run();
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - before).TotalMilliseconds);
            }, runs);
            Console.WriteLine($"| {name} | {median:N1} | {min:N1} | {max:N1} | {Stats.Median(cpu.Skip(2)):N1} |");
        }
        var report = await detector.FindAsync(1, new AnomalyQuery { Filter = new SessionFilter { ToMs = end } });
        Console.WriteLine($"Anomalies in the last 7 days: {report.AnomalousSessions:N0} of {report.SessionsJudged:N0} sessions judged ({(BenchDetector.FullRows ? "from the full rows" : "from the numbers")}); whole project {BenchDetector.Answer(report)}");
        var byFeature = await detector.FindAsync(1, new AnomalyQuery { Filter = new SessionFilter { ToMs = end }, By = new SessionGrouping.ByMetadata("feature"), Limit = 500 });
        Console.WriteLine($"by metadata:feature {BenchDetector.Answer(byFeature)}");
    }

    private static Task Series(Zespan.Core.Storage.ISessionKindReader reader, TimeBuckets buckets, SessionGrouping? by) =>
        reader.TimeseriesAsync(1, new SessionFilter { FromMs = buckets.FromMs, ToMs = buckets.ToMs }, by, buckets, 10);

    /// <summary>Sessions spread evenly over the range, with long-tailed turns and costs, some unpriced, errors, tags and features.</summary>
    private static async Task LoadAsync(Microsoft.Data.Sqlite.SqliteConnection connection, int count, long start, long end)
    {
        var random = new Random(19);
        var clock = Stopwatch.StartNew();
        // A bulk load, not ingestion: a 2 GB page cache keeps the random index inserts in memory (the file is rebuilt if lost).
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA cache_size = -2000000; PRAGMA synchronous = OFF";
            await pragma.ExecuteNonQueryAsync();
        }
        await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync();
        var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns, cost_pico,
                                  unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms, active_ms)
            VALUES (1, $id, $user, $start, 'span', $start, $end, $end - $start, $turns, $cost, $unpriced, $in, $out, $in + $out, $errors, $latency, $end - $start)
            """;
        var ps = new[] { "$id", "$user", "$start", "$end", "$turns", "$cost", "$unpriced", "$in", "$out", "$errors", "$latency" }
            .ToDictionary(n => n, n => insert.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter(n, null)));
        var tag = connection.CreateCommand();
        tag.Transaction = transaction;
        tag.CommandText = "INSERT INTO session_tags (project_id, session_id, tag) VALUES (1, $id, $tag)";
        var tagId = tag.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$id", null));
        var tagValue = tag.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$tag", null));
        var meta = connection.CreateCommand();
        meta.Transaction = transaction;
        meta.CommandText = "INSERT INTO session_metadata (project_id, session_id, key, value) VALUES (1, $id, 'feature', $value)";
        var metaId = meta.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$id", null));
        var metaValue = meta.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$value", null));
        for (var i = 0; i < count; i++)
        {
            var id = $"s{i:D7}";
            var started = start + (end - start) * i / count + random.NextInt64((end - start) / count); // in start order, as they arrive
            var turns = Math.Min(1000, 1 + (int)(-Math.Log(1 - random.NextDouble()) * 6));
            var perTurn = (long)(400 * Math.Exp(random.NextDouble() * 1.5));
            var unpricedAll = random.NextDouble() < 0.03;
            ps["$id"].Value = id;
            ps["$user"].Value = $"u{random.Next(200_000)}";
            ps["$start"].Value = started;
            ps["$end"].Value = started + turns * 2_000L;
            ps["$turns"].Value = turns;
            ps["$cost"].Value = unpricedAll ? 0 : turns * perTurn * 2_500_000L;
            ps["$unpriced"].Value = unpricedAll ? turns : 0;
            ps["$in"].Value = turns * perTurn * 3 / 4;
            ps["$out"].Value = turns * perTurn / 4;
            ps["$errors"].Value = random.NextDouble() < 0.08 ? 1 : 0;
            ps["$latency"].Value = turns * 1_500L;
            insert.ExecuteNonQuery();
            if (random.NextDouble() < 0.7)
            {
                tagId.Value = id;
                tagValue.Value = Tags[random.Next(Tags.Length)];
                tag.ExecuteNonQuery();
            }
            metaId.Value = id;
            metaValue.Value = Features[random.Next(Features.Length)];
            meta.ExecuteNonQuery();
            if (i % 100_000 == 99_999)
                Console.WriteLine($"  {i + 1:N0} sessions inserted ({clock.Elapsed.TotalSeconds:N0} s)");
        }
        // Rows inserted directly: the writer's rollups (migrations 180-183) are recomputed from them.
        Zespan.Storage.Sqlite.SessionRollupBackfill.Run(connection, transaction);
        await transaction.CommitAsync();
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        await analyze.ExecuteNonQueryAsync();
        Console.WriteLine($"Loaded {count:N0} sessions in {clock.Elapsed.TotalSeconds:N0} s");
    }
}
