using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Zespan.Core.Ingestion;
using Zespan.Core.Pricing;
using Zespan.Core.Spans;
using Zespan.DataGen;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// Ingestion over HTTP, end to end: pre-serialised bodies are posted to a fresh server with several requests in flight;
/// the clock runs from the first request to the last 2xx (every span durable). Then the same rows are inserted raw —
/// plain prepared INSERTs into spans and span_payloads in one transaction, same schema and pragmas, no aggregates, bound
/// through the same SQLitePCLRaw statements as the server's writer — as the practical ceiling.
/// Mix "all" posts every generated span (agent turns, retrieval and tool spans around the LLM calls); mix "llm" posts only
/// the LLM spans, as the SDKs send them (one span per wrapped OpenAI call).
/// With a base folder (a data folder made by DataGen with this benchmark's key, e.g. 10 M spans), the HTTP runs alternate
/// between an empty folder and a copy of the base, so the throughput on a large file is measured beside the empty one in
/// the same run (issue 15: within 20 %).
/// </summary>
public sealed class IngestBenchmark(int sessions, int runs, int concurrency, int batch, string mix, string? baseFolder = null, bool randomIds = false, bool live = false, int warmups = 1,
    bool inStartOrder = false)
{
    internal const string Key = "zsp_bench_ingest_key_0123456789";

    public async Task RunAsync()
    {
        var plan = RecentTraffic.Plan(sessions, randomIds: randomIds, live: live);
        var generator = new SessionGenerator(plan);
        var spans = RecentTraffic.Ordered(Enumerable.Range(0, sessions).SelectMany(generator.Generate).Where(InMix).Select(Reparent), inStartOrder);
        var llm = spans.Count(s => s.Kind == SpanKind.Llm);
        var bodies = spans.Chunk(batch).Select(IngestJson.Batch).ToList();
        // "Sustained" throughput: each warm-up round posts as much as the measured part (other sessions, its own seed), so
        // tiered JIT compilation (a third of the server's CPU in the first seconds of a fresh process, per perf) is mostly
        // done before the clock starts; more rounds (--warmups) show what a long-running server pays once the JIT is done.
        var warmupBodies = Enumerable.Range(0, warmups).SelectMany(round =>
        {
            var warmup = new SessionGenerator(plan with { Seed = 8 + round });
            return RecentTraffic.Ordered(Enumerable.Range(0, sessions).SelectMany(warmup.Generate).Where(InMix).Select(Reparent), inStartOrder).Chunk(batch).Select(IngestJson.Batch);
        }).ToList();
        Console.WriteLine($"Ingest (mix {mix}, {RecentTraffic.Describe(plan, inStartOrder)}): {spans.Count:N0} spans ({llm:N0} LLM) of {sessions:N0} sessions, {bodies.Count} requests of {batch} spans " +
                          $"after {warmups} warm-up round(s) of as many, " +
                          $"{bodies.Sum(b => (long)b.Length) / 1024 / 1024:N0} MB of JSON, concurrency {concurrency}, {runs} runs");

        if (baseFolder is not null)
            await SettledBase.EnsureAsync(baseFolder, Key);
        var http = new List<(double Seconds, double CpuSeconds, long PeakRss)>();
        var onBase = new List<(double Seconds, double CpuSeconds, long PeakRss)>();
        for (var run = 0; run < (baseFolder is null ? runs : 2 * runs); run++)
        {
            var data = Directory.CreateTempSubdirectory("zespan-bench-ingest-").FullName;
            var fromBase = baseFolder is not null && run % 2 == 1;
            try
            {
                if (fromBase)
                    foreach (var file in Directory.GetFiles(baseFolder!))
                        File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
                await using var server = await ServerProcess.StartAsync(data, Key);
                using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(5) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                await PostAllAsync(client, warmupBodies);
                var cpuBefore = server.CpuTime();
                var clock = Stopwatch.StartNew();
                var accepted = await PostAllAsync(client, bodies);
                var seconds = clock.Elapsed.TotalSeconds;
                var cpu = (server.CpuTime() - cpuBefore).TotalSeconds;
                var (_, peak) = server.Memory();
                if (accepted != spans.Count)
                    throw new InvalidOperationException($"The server accepted {accepted} of {spans.Count} spans.");
                (fromBase ? onBase : http).Add((seconds, cpu, peak));
                Console.WriteLine($"  run {run + 1}{(fromBase ? " (base)" : "")}: {spans.Count / seconds:N0} spans/s ({llm / seconds:N0} LLM spans/s), server CPU {cpu:N2} s " +
                                  $"= {cpu / seconds:N2} cores, {cpu * 1e6 / spans.Count:N1} µs CPU per span, peak RSS {Stats.Mb(peak)}");
            }
            finally
            {
                Directory.Delete(data, recursive: true);
            }
        }

        var raw = new List<(double Seconds, double CpuSeconds)>();
        var rows = await PriceAsync(bodies);
        for (var run = 0; run < runs; run++)
        {
            var data = Directory.CreateTempSubdirectory("zespan-bench-raw-").FullName;
            try
            {
                var (seconds, cpu) = await RawInsertAsync(Path.Combine(data, "zespan.db"), rows);
                raw.Add((seconds, cpu));
                Console.WriteLine($"  raw {run + 1}: {spans.Count / seconds:N0} spans/s, CPU {cpu:N2} s, {cpu * 1e6 / spans.Count:N1} µs CPU per span");
            }
            finally
            {
                Directory.Delete(data, recursive: true);
            }
        }

        var httpSeconds = Stats.Median(http.Select(h => h.Seconds));
        var httpCpu = Stats.Median(http.Select(h => h.CpuSeconds));
        var rawSeconds = Stats.Median(raw.Select(r => r.Seconds));
        var rawCpu = Stats.Median(raw.Select(r => r.CpuSeconds));
        Console.WriteLine();
        Console.WriteLine($"| HTTP ingestion (median of {runs}) | {spans.Count / httpSeconds:N0} spans/s | {llm / httpSeconds:N0} LLM spans/s | server CPU {httpCpu / httpSeconds:N2} cores, {httpCpu * 1e6 / spans.Count:N1} µs/span | peak RSS {Stats.Mb((long)Stats.Median(http.Select(h => (double)h.PeakRss)))} |");
        Console.WriteLine($"| Raw bulk insert (median of {runs}) | {spans.Count / rawSeconds:N0} spans/s | {llm / rawSeconds:N0} LLM spans/s | CPU {rawCpu * 1e6 / spans.Count:N1} µs/span | |");
        Console.WriteLine($"| Ratio HTTP / raw | {rawSeconds / httpSeconds:N2} (wall clock) | {rawCpu / httpCpu:N2} (CPU per span) | | |");
        if (onBase.Count > 0)
        {
            var baseSeconds = Stats.Median(onBase.Select(h => h.Seconds));
            var baseCpu = Stats.Median(onBase.Select(h => h.CpuSeconds));
            Console.WriteLine($"| HTTP ingestion into a copy of {baseFolder} (median of {runs}) | {spans.Count / baseSeconds:N0} spans/s | {llm / baseSeconds:N0} LLM spans/s | server CPU {baseCpu / baseSeconds:N2} cores, {baseCpu * 1e6 / spans.Count:N1} µs/span | peak RSS {Stats.Mb((long)Stats.Median(onBase.Select(h => (double)h.PeakRss)))} |");
            Console.WriteLine($"| Ratio base / empty | {httpSeconds / baseSeconds:N2} (throughput) | {httpCpu / baseCpu:N2} (CPU per span) | | |");
        }
    }

    private bool InMix(SpanRecord span) => mix != "llm" || span.Kind == SpanKind.Llm;

    // Without their agent-turn parents, LLM spans are roots, as a wrapped call outside any span is.
    private SpanRecord Reparent(SpanRecord span) => mix == "llm" ? span with { ParentId = null } : span;

    private async Task<long> PostAllAsync(HttpClient client, List<byte[]> bodies)
    {
        long accepted = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
                Interlocked.Add(ref accepted, await HttpIngestSink.PostWithRetryAsync(client, bodies[i], CancellationToken.None));
        })));
        return accepted;
    }

    /// <summary>The rows ingestion would store (parsed and priced by the server's own code), prepared outside the clock.</summary>
    internal static Task<List<SpanRecord>> PriceAsync(List<byte[]> bodies)
    {
        var parser = new BatchParser(new SpanParser(TimeProvider.System));
        var pricer = new SpanPricer(new PriceResolver(ModelPriceTable.LoadBuiltIn()));
        return Task.FromResult(bodies.SelectMany(b => parser.Parse(b).Spans).Select(p => pricer.Price(p, null).Span!).ToList());
    }

    private static async Task<(double Seconds, double CpuSeconds)> RawInsertAsync(string path, List<SpanRecord> rows)
    {
        var database = new SqliteDatabase(path);
        await database.MigrateAsync();
        await using var connection = await database.OpenAsync();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using (var transaction = connection.BeginTransaction())
        {
            using var insert = new RawStatement(connection, """
                INSERT INTO spans (project_id, span_id, trace_id, parent_id, session_id, user_id, name, kind, model, provider, start_ms, end_ms,
                                   input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_pico, cost_source, status, error, metadata, tags)
                VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) RETURNING id
                """);
            using var payload = new RawStatement(connection, "INSERT INTO span_payloads (span_row_id, input, output) VALUES (?1, ?2, ?3)");
            foreach (var s in rows)
            {
                insert.Bind(1, s.Id); insert.Bind(2, s.TraceId); insert.Bind(3, s.ParentId); insert.Bind(4, s.SessionId); insert.Bind(5, s.UserId);
                insert.Bind(6, s.Name); insert.Bind(7, (long)s.Kind); insert.Bind(8, s.Model); insert.Bind(9, s.Provider); insert.Bind(10, s.StartMs);
                insert.Bind(11, s.EndMs); insert.Bind(12, s.Usage.InputTokens); insert.Bind(13, s.Usage.OutputTokens);
                insert.Bind(14, s.Usage.CachedInputTokens); insert.Bind(15, s.Usage.ReasoningTokens); insert.Bind(16, s.CostPico);
                insert.Bind(17, (long)s.CostSource); insert.Bind(18, (long)s.Status); insert.Bind(19, s.Error); insert.Bind(20, s.MetadataJson);
                SpanWriteStatements.BindTags(insert, 21, s.Tags);
                var rowId = insert.ExecuteScalarInt64()!.Value;
                if (s.InputJson is not null || s.OutputJson is not null)
                {
                    payload.Bind(1, rowId);
                    payload.Bind(2, s.InputJson);
                    payload.Bind(3, s.OutputJson);
                    payload.Execute();
                }
            }
            transaction.Commit();
        }
        return (clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
    }
}
