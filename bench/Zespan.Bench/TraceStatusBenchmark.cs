using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Zespan.Core.Costs;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Spans;
using Zespan.Core.Traces;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// The two queries issue 15 found still slow at 1 M sessions / 10 M LLM spans — the traces list filtered by status and
/// the costs page's token outliers — in-process on a real migrated SQLite file. The session and trace rows are inserted
/// directly (one trace per turn, as DataGen's one LLM call per turn) and the writer's counters recomputed from them, so
/// the readers see what ingestion would have left without generating the ten million spans behind them.
/// </summary>
/// <remarks>withTraces false loads the session rows only (the outliers and the other session queries of the costs page need
/// no trace row, and the ten million random trace ids are most of the load's time); the trace rows then read empty.</remarks>
public sealed class TraceStatusBenchmark(string folder, int sessions, int days, int runs, bool withTraces = true)
{
    public async Task RunAsync()
    {
        var path = Path.Combine(folder, "zespan.db");
        Directory.CreateDirectory(folder);
        var storage = new SqliteStorage(path, TimeProvider.System);
        var migration = Stopwatch.StartNew();
        await storage.Database.MigrateAsync();
        Console.WriteLine($"Migrations at open: {migration.Elapsed.TotalSeconds:N1} s");
        var end = DateTimeOffset.Parse("2026-11-24T00:00:00Z").ToUnixTimeMilliseconds();
        var start = end - days * 86_400_000L;
        long traces;
        await using (var connection = await storage.Database.OpenAsync())
        {
            var existing = (long)(await new SqliteCommand("SELECT count(*) FROM sessions", connection).ExecuteScalarAsync())!;
            if (existing < sessions)
                await LoadAsync(connection, sessions, start, end, withTraces);
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync();
            traces = (long)(await new SqliteCommand("SELECT count(*) FROM traces", connection).ExecuteScalarAsync())!;
            var errored = (long)(await new SqliteCommand("SELECT count(*) FROM traces WHERE error_count > 0", connection).ExecuteScalarAsync())!;
            Console.WriteLine($"{sessions:N0} sessions, {traces:N0} traces ({errored:N0} with an error) over {days} days in {path}");
        }
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}; anomalies {(BenchDetector.FullRows ? "from the full rows (before)" : "from the numbers")}");

        var traceReader = storage.Traces;
        var sessionReader = storage.Sessions;
        var page = new CostsPageQueries(storage, end);
        var last7 = new TraceQuery { FromMs = end - 7 * 86_400_000L, ToMs = end };
        var cases = new (string Name, Func<Task<string>> Run)[]
        {
            ("Traces, first page", () => Traces(traceReader, new TraceQuery())),
            ("Traces, status=error", () => Traces(traceReader, new TraceQuery { Status = SpanStatus.Error })),
            ("Traces, status=ok", () => Traces(traceReader, new TraceQuery { Status = SpanStatus.Ok })),
            ("Traces, status=error, second page", async () =>
            {
                var first = await traceReader.ListAsync(1, new TraceQuery { Status = SpanStatus.Error });
                TraceCursor.TryDecode(first.NextCursor!, out var after);
                return await Traces(traceReader, new TraceQuery { Status = SpanStatus.Error, After = after });
            }),
            ("Traces, last 7 days & status=error", () => Traces(traceReader, last7 with { Status = SpanStatus.Error })),
            ("Traces, last 7 days & status=ok", () => Traces(traceReader, last7 with { Status = SpanStatus.Ok })),
            ("Token outliers, 30 days (costs page)", () => Outliers(sessionReader, end - 30 * 86_400_000L, end)),
            ("Token outliers, 7 days (costs page)", () => Outliers(sessionReader, end - 7 * 86_400_000L, end)),
            ("Traces, last 7 days", () => Traces(traceReader, last7)),
            // The costs page's other session queries over the same 30 days (CostsPage.razor).
            ("Costs page: stats, 30 days", async () => { var s = await sessionReader.StatsAsync(1, new SessionFilter { FromMs = end - 30 * 86_400_000L, ToMs = end }); return $"{s.Sessions:N0} sessions, median {s.MedianCostPico:N0} p95 {s.P95CostPico:N0}"; }),
            ("Costs page: top 10 by cost, 30 days", async () => $"{(await sessionReader.ListAsync(1, new SessionQuery { Filter = new SessionFilter { FromMs = end - 30 * 86_400_000L, ToMs = end }, Sort = SessionSort.CostUsd, Limit = 10 })).Items.Count} rows"),
            ("Costs page: breakdown by user, 30 days", async () => $"{(await sessionReader.BreakdownAsync(1, new SessionGrouping.ByUser(), new SessionFilter { FromMs = end - 30 * 86_400_000L, ToMs = end }, 20)).Count} rows"),
            // The page's queries the cases above lack, over its default range (30d: whole days, 31 of them, to the next midnight).
            ("Costs page: cost by model, 31 days", async () => $"{(await page.Costs.ByModelAsync(1, page.Range)).Count} models"),
            ("Costs page: cost per day, 31 days", async () => $"{(await page.Costs.OverTimeAsync(1, page.Range, 86_400_000L)).Count} buckets"),
            ("Costs page: breakdown by tag (default), 31 days", async () => $"{(await sessionReader.BreakdownAsync(1, new SessionGrouping.ByTag(), page.Filter, 20)).Count} rows"),
            ("Costs page: sessions per day, 31 days", async () => $"{(await storage.SessionKinds.TimeseriesAsync(1, page.Filter, null, page.Buckets, 1)).Series[0].Sessions:N0} sessions"),
            ("Costs page: anomalies, 7 days", async () => BenchDetector.Answer(await page.Detector.FindAsync(1, new AnomalyQuery { Filter = new SessionFilter { ToMs = end }, Limit = 10 }))),
            ("Costs page: all its queries (default view)", () => page.RunAsync(storage)),
        };
        Console.WriteLine("| Query | median wall ms | min | max | median CPU ms | answer |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        var process = Process.GetCurrentProcess();
        // Loaded without traces (--no-traces): the trace cases have nothing to read (and no second page).
        foreach (var (name, run) in cases.Where(c => traces > 0 || !c.Name.StartsWith("Traces", StringComparison.Ordinal)))
        {
            var cpu = new List<double>();
            var answer = "";
            var (median, min, max) = await Stats.TimeAsync(async () =>
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                answer = await run();
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - before).TotalMilliseconds);
            }, runs);
            Console.WriteLine($"| {name} | {median:N1} | {min:N1} | {max:N1} | {Stats.Median(cpu.Skip(2)):N1} | {answer} |");
        }
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static async Task<string> Traces(Zespan.Core.Storage.ITraceReader reader, TraceQuery query)
    {
        var page = await reader.ListAsync(1, query);
        return $"total {page.TotalCount:N0}, {page.Items.Count} rows";
    }

    private static async Task<string> Outliers(Zespan.Core.Storage.ISessionReader reader, long from, long to)
    {
        var outliers = await reader.TokenOutliersAsync(1, new SessionFilter { FromMs = from, ToMs = to }, 3, 10);
        return outliers.Count == 0 ? "none" : $"{outliers.Count} rows, median {outliers[0].ProjectMedianTokensPerTurn:N1}, top ratio {outliers[0].Ratio:N2}";
    }

    /// <summary>Sessions spread evenly over the range with long-tailed turns and tokens per turn; one trace per turn, 2 % of them with an error.</summary>
    private static async Task LoadAsync(SqliteConnection connection, int count, long start, long end, bool withTraces)
    {
        var random = new Random(23);
        var clock = Stopwatch.StartNew();
        // A bulk load, not ingestion: a 2 GB page cache keeps the random index inserts in memory (the file is rebuilt if lost).
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA cache_size = -2000000; PRAGMA synchronous = OFF";
            await pragma.ExecuteNonQueryAsync();
        }
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var session = Command(connection, transaction, """
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns, cost_pico,
                                  unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms, active_ms)
            VALUES (1, $id, $user, $start, 'span', $start, $end, $end - $start, $turns, $cost, 0, $in, $out, $in + $out, $errors, $latency, $end - $start)
            """, "$id", "$user", "$start", "$end", "$turns", "$cost", "$in", "$out", "$errors", "$latency");
        var trace = Command(connection, transaction, """
            INSERT INTO traces (project_id, trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls, cost_pico, cost_high,
                                unpriced_calls, total_tokens, error_count, user_id, user_start_ms, user_span_id, session_id, session_start_ms, session_span_id)
            VALUES (1, $id, 'chat', $start, $id, $start, $start + 1500, 1, 1, $cost, 0, 0, $tokens, $errors, $user, $start, $id, $session, $start, $id)
            """, "$id", "$start", "$cost", "$tokens", "$errors", "$user", "$session");
        var traceId = new byte[16];
        for (var i = 0; i < count; i++)
        {
            var id = $"s{i:D7}";
            var user = $"u{random.Next(200_000)}";
            var started = start + (end - start) * i / count + random.NextInt64((end - start) / count);
            var turns = Math.Min(1000, 1 + (int)(-Math.Log(1 - random.NextDouble()) * 9));
            var perTurn = (long)(400 * Math.Exp(random.NextDouble() * 1.5));
            if (random.NextDouble() < 0.002)
                perTurn *= 8; // the few sessions that burn tokens
            var errors = 0;
            for (var t = 0; t < turns; t++)
            {
                random.NextBytes(traceId);
                var errored = random.NextDouble() < 0.02 ? 1 : 0;
                errors += errored;
                if (!withTraces)
                    continue;
                Bind(trace, Convert.ToHexStringLower(traceId), started + t * 2_000L, perTurn * 2_500_000L, perTurn, errored, user, id);
                trace.ExecuteNonQuery();
            }
            Bind(session, id, user, started, started + turns * 2_000L, turns, turns * perTurn * 2_500_000L, turns * perTurn * 3 / 4, turns * perTurn / 4, errors, turns * 1_500L);
            session.ExecuteNonQuery();
            if (i % 100_000 == 99_999)
            {
                // Commit now and then so the write-ahead log does not grow to the whole file.
                await transaction.CommitAsync();
                transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                session.Transaction = trace.Transaction = transaction;
                Console.WriteLine($"  {i + 1:N0} sessions inserted ({clock.Elapsed.TotalSeconds:N0} s)");
            }
        }
        // Rows inserted directly: the writer's counters and rollups are recomputed from them.
        SessionRollupBackfill.Run(connection, transaction);
        await transaction.CommitAsync();
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        await analyze.ExecuteNonQueryAsync();
        Console.WriteLine($"Loaded {count:N0} sessions in {clock.Elapsed.TotalSeconds:N0} s");
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names)
            command.Parameters.Add(new SqliteParameter(name, null));
        return command;
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i];
    }
}
