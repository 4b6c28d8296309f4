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
/// Thread CPU time per stage, so a loaded machine inflates the figures less than wall clock would.
/// </summary>
public sealed class IngestStagesBenchmark(int sessions, int runs, int batch, string mix = "all")
{
    public async Task RunAsync()
    {
        var plan = new GenerationPlan { Seed = 7, Sessions = sessions, Users = Math.Max(100, sessions / 5), Days = 13, End = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero) };
        var generator = new SessionGenerator(plan);
        // Mix "llm" keeps only the LLM spans, made roots, as the SDKs send them (the same rows as `ingest --mix llm`).
        var all = Enumerable.Range(0, sessions).SelectMany(generator.Generate)
            .Where(s => mix != "llm" || s.Kind == SpanKind.Llm).Select(s => mix == "llm" ? s with { ParentId = null } : s).ToList();
        var bodies = all.Chunk(batch).Select(IngestJson.Batch).ToList();
        Console.WriteLine($"Ingest stages (mix {mix}): {all.Count:N0} spans in {bodies.Count} bodies of {batch}, {runs} runs (thread CPU µs per span)");
        var parser = new BatchParser(new SpanParser(TimeProvider.System));
        var pricer = new SpanPricer(new PriceResolver(ModelPriceTable.LoadBuiltIn()));
        var results = new List<double[]>();
        for (var run = 0; run < runs; run++)
        {
            var data = Directory.CreateTempSubdirectory("zespan-bench-stages-").FullName;
            SqliteStorage? storage = null;
            try
            {
                storage = new SqliteStorage(Path.Combine(data, "zespan.db"), TimeProvider.System);
                await storage.Database.MigrateAsync();
                double parse = 0, price = 0, write = 0, respond = 0;
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
                    storage.SpanWriter.WriteAsync(spans).GetAwaiter().GetResult();
                    write += ThreadCpu.Now() - w0;
                }
                var per = new[] { parse, price, write, respond }.Select(s => s * 1e6 / all.Count).ToArray();
                results.Add(per);
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
                Console.WriteLine($"  run {run + 1}: parse+validate {per[0]:N1}, price {per[1]:N1}, write+commit {per[2]:N1}, response {per[3]:N2}, total {per.Sum():N1} µs/span; then the gram indexer, outside the writer {grams:N1} µs/span, CPU {hold}");
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
        string M(int i) => Stats.Median(results.Select(r => r[i])).ToString("N1");
        Console.WriteLine($"| median of {runs} | parse+validate {M(0)} | price {M(1)} | write+commit {M(2)} | response {M(3)} | total {Stats.Median(results.Select(r => r.Sum())):N1} µs/span |");
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
