using System.Diagnostics;
using System.Text.Json;
using Zespan.Core.Ingestion;
using Zespan.Core.Pricing;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.DataGen;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// Where the server's ingestion CPU goes, stage by stage, in one process without HTTP: parse and validate the same
/// request bodies the HTTP benchmark posts, price them, write them with the real SqliteSpanWriter in transactions of
/// about 8 requests (what group commit does with 8 requests in flight), and serialise the 200 response.
/// Thread CPU time per stage, so a loaded machine inflates the figures less than wall clock would; and the pages the
/// writer's commits wrote to the WAL per span (SQLite's own counter, the same on a loaded machine as on an idle one).
/// With a base folder (a DataGen folder with project 1, e.g. 1 M spans), runs alternate between an empty file and a copy
/// of the base (made with DataGen's --ids random for random-id runs). Random ids and live time: RecentTraffic.
/// </summary>
public sealed class IngestStagesBenchmark(int sessions, int runs, int batch, string mix = "all", string? baseFolder = null, bool randomIds = false, bool live = false, bool profile = false,
    bool inStartOrder = false)
{
    public async Task RunAsync()
    {
        var plan = RecentTraffic.Plan(sessions, randomIds: randomIds, live: live);
        var generator = new SessionGenerator(plan);
        // Mix "llm" keeps only the LLM spans, made roots, as the SDKs send them (the same rows as `ingest --mix llm`).
        var all = RecentTraffic.Ordered(Enumerable.Range(0, sessions).SelectMany(generator.Generate)
            .Where(s => mix != "llm" || s.Kind == SpanKind.Llm).Select(s => mix == "llm" ? s with { ParentId = null } : s), inStartOrder);
        var bodies = all.Chunk(batch).Select(IngestJson.Batch).ToList();
        Console.WriteLine($"Ingest stages (mix {mix}, {RecentTraffic.Describe(plan, inStartOrder)}): {all.Count:N0} spans in {bodies.Count} bodies of {batch}, {runs} runs{(baseFolder is null ? "" : $" on an empty file and on a copy of {baseFolder}")} (thread CPU µs per span)");
        if (baseFolder is not null) // a base made with the ingest benchmark's key, as docs/benchmarks.md's DataGen command
            await SettledBase.EnsureAsync(baseFolder, IngestBenchmark.Key);
        var parser = new BatchParser(new SpanParser(TimeProvider.System));
        var pricer = new SpanPricer(new PriceResolver(ModelPriceTable.LoadBuiltIn()));
        var results = new List<double[]>();
        var onBase = new List<double[]>();
        for (var run = 0; run < (baseFolder is null ? runs : 2 * runs); run++)
        {
            var fromBase = baseFolder is not null && run % 2 == 1;
            var data = Directory.CreateTempSubdirectory("zespan-bench-stages-").FullName;
            SqliteStorage? storage = null;
            try
            {
                if (fromBase)
                    foreach (var file in Directory.GetFiles(baseFolder!))
                        File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
                storage = new SqliteStorage(Path.Combine(data, "zespan.db"), TimeProvider.System);
                await storage.Database.MigrateAsync();
                // As a server's start does (SqliteInitializer): statistics taken now, not whenever the base was analysed.
                await storage.Database.OptimizeAsync();
                var pages0 = WriterCounter(storage, CacheWrite);
                var misses0 = WriterCounter(storage, CacheMiss);
                var statements = profile ? new WriterProfile() : null;
                if (statements is not null && storage.SpanWriter is SqliteSpanWriter profiled)
                    statements.Watch(await profiled.Connection.GetAsync());
                double parse = 0, price = 0, write = 0, respond = 0;
                long allocated = 0;
                foreach (var group in bodies.Chunk(8))
                {
                    var spans = new List<ProjectSpan>();
                    foreach (var body in group)
                    {
                        var t0 = ThreadCpu.Now();
                        var parsed = parser.Parse(body);
                        var t1 = ThreadCpu.Now();
                        spans.AddRange(parsed.Spans.Select(s => new ProjectSpan(1, pricer.Price(s, null).Span!)));
                        var t2 = ThreadCpu.Now();
                        JsonSerializer.SerializeToUtf8Bytes(new { accepted = parsed.Spans.Count, errors = Array.Empty<object>() });
                        var t3 = ThreadCpu.Now();
                        parse += t1 - t0; price += t2 - t1; respond += t3 - t2;
                    }
                    var w0 = ThreadCpu.Now();
                    var a0 = GC.GetAllocatedBytesForCurrentThread();
                    storage.SpanWriter.WriteAsync(spans).GetAwaiter().GetResult();
                    allocated += GC.GetAllocatedBytesForCurrentThread() - a0;
                    write += ThreadCpu.Now() - w0;
                }
                var per = new[] { parse, price, write, respond }.Select(s => s * 1e6 / all.Count).ToArray();
                var pages = (WriterCounter(storage, CacheWrite) - pages0) / (double)all.Count;
                var misses = (WriterCounter(storage, CacheMiss) - misses0) / (double)all.Count;
                (fromBase ? onBase : results).Add([.. per, pages]);
                if (statements is not null)
                {
                    statements.PrintStatements(all.Count);
                    WriterProfile.PrintWalPages(Path.Combine(data, "zespan.db"));
                }
                // Not the writer's: the gram index of short q= (migration 350), filled afterwards in the server's background batches.
                // Each batch holds the write gate (ingestion waits behind it): its CPU time is that hold on an idle machine.
                var g0 = ThreadCpu.Now();
                var holds = new List<double>();
                int cleared;
                do
                {
                    var b0 = ThreadCpu.Now();
                    cleared = storage.GramIndexer.IndexBatchAsync(SessionGramIndexer.BackgroundBatch).GetAwaiter().GetResult();
                    if (cleared == SessionGramIndexer.BackgroundBatch)
                        holds.Add((ThreadCpu.Now() - b0) * 1e3);
                }
                while (cleared == SessionGramIndexer.BackgroundBatch);
                var grams = (ThreadCpu.Now() - g0) * 1e6 / all.Count;
                var hold = holds.Count > 0 ? $"{Stats.Median(holds):N1} ms (max {holds.Max():N1}) per full batch of {SessionGramIndexer.BackgroundBatch}" : "no full batch";
                Console.WriteLine($"  run {run + 1}{(fromBase ? " (base)" : "")}: parse+validate {per[0]:N1}, price {per[1]:N1}, write+commit {per[2]:N1}, response {per[3]:N2}, total {per.Sum():N1} µs/span, the write allocated {allocated / (double)all.Count:N0} bytes per span, {pages:N2} pages written and {misses:N2} read from the file per span; then the gram indexer, outside the writer {grams:N1} µs/span, CPU {hold}");
            }
            finally
            {
                // The writer's background checkpoint may still be copying the WAL; let it finish before the folder goes.
                if (storage?.SpanWriter is SqliteSpanWriter writer)
                {
                    while (writer.Checkpointer.Running)
                        await Task.Delay(10);
                }
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(data, recursive: true);
            }
        }
        Summary("median of " + runs, results);
        if (onBase.Count > 0)
            Summary($"median of {runs}, base {baseFolder}", onBase);
    }

    private static void Summary(string label, List<double[]> rows)
    {
        string M(int i) => Stats.Median(rows.Select(r => r[i])).ToString("N1");
        Console.WriteLine($"| {label} | parse+validate {M(0)} | price {M(1)} | write+commit {M(2)} | response {M(3)} | total {Stats.Median(rows.Select(r => r[..4].Sum())):N1} µs/span | {Stats.Median(rows.Select(r => r[4])):N2} pages/span |");
    }

    /// <summary>SQLITE_DBSTATUS_CACHE_WRITE: pages the connection wrote; in WAL mode, one WAL frame each.</summary>
    private const int CacheWrite = 9;

    /// <summary>SQLITE_DBSTATUS_CACHE_MISS: pages the connection read from the file (or the WAL) because its cache lacked them.</summary>
    private const int CacheMiss = 8;

    /// <summary>One of SQLite's page counters of the writer's connection, so far.</summary>
    private static long WriterCounter(SqliteStorage storage, int counter)
    {
        if (storage.SpanWriter is not SqliteSpanWriter { Connection.Current: { } connection })
            return 0;
        SQLitePCL.raw.sqlite3_db_status(connection.Handle, counter, out var current, out _, 0);
        return current;
    }

}

/// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in seconds.</summary>
internal static class ThreadCpu
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    private struct Timespec { public long Seconds; public long Nanoseconds; }

    public static double Now()
    {
        ClockGetTime(3, out var t);
        return t.Seconds + t.Nanoseconds / 1e9;
    }
}
