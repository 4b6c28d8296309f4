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
/// plain prepared INSERTs into spans and span_payloads in one transaction, same schema and pragmas, no aggregates —
/// as the practical ceiling.
/// </summary>
public sealed class IngestBenchmark(int sessions, int runs, int concurrency, int batch)
{
    private const string Key = "zsp_bench_ingest_key_0123456789";

    public async Task RunAsync()
    {
        var plan = new GenerationPlan { Seed = 7, Sessions = sessions, Users = Math.Max(100, sessions / 5), Days = 13, End = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero) };
        var generator = new SessionGenerator(plan);
        var spans = Enumerable.Range(0, sessions).SelectMany(generator.Generate).ToList();
        var llm = spans.Count(s => s.Kind == SpanKind.Llm);
        var bodies = spans.Chunk(batch).Select(IngestJson.Batch).ToList();
        // "Sustained" throughput: the warm-up posts as much as the measured part, so tiered JIT compilation (a third of the
        // server's CPU in the first seconds of a fresh process, per perf) is done before the clock starts.
        var warmup = new SessionGenerator(plan with { Seed = 8 });
        var warmupBodies = Enumerable.Range(0, sessions).SelectMany(warmup.Generate).Chunk(batch).Select(IngestJson.Batch).ToList();
        Console.WriteLine($"Ingest: {spans.Count:N0} spans ({llm:N0} LLM) of {sessions:N0} sessions, {bodies.Count} requests of {batch} spans, " +
                          $"{bodies.Sum(b => (long)b.Length) / 1024 / 1024:N0} MB of JSON, concurrency {concurrency}, {runs} runs");

        var http = new List<(double Seconds, double CpuSeconds, long PeakRss)>();
        for (var run = 0; run < runs; run++)
        {
            var data = Directory.CreateTempSubdirectory("zespan-bench-ingest-").FullName;
            try
            {
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
                http.Add((seconds, cpu, peak));
                Console.WriteLine($"  run {run + 1}: {spans.Count / seconds:N0} spans/s ({llm / seconds:N0} LLM spans/s), server CPU {cpu:N2} s " +
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
    }

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
    private static Task<List<SpanRecord>> PriceAsync(List<byte[]> bodies)
    {
        var parser = new BatchParser(new SpanParser(TimeProvider.System));
        var pricer = new SpanPricer(new PriceResolver(ModelPriceTable.LoadBuiltIn()));
        return Task.FromResult(bodies.SelectMany(b => parser.Parse(b).Spans).Select(p => pricer.Price(p, null)).ToList());
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
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO spans (project_id, span_id, trace_id, parent_id, session_id, user_id, name, kind, model, provider, start_ms, end_ms,
                                   input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_pico, cost_source, status, error, metadata, tags)
                VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id
                """;
            var p = Enumerable.Range(1, 21).Select(i => insert.Parameters.Add(new SqliteParameter { ParameterName = "$" + i })).ToArray();
            insert.Prepare();
            using var payload = connection.CreateCommand();
            payload.Transaction = transaction;
            payload.CommandText = "INSERT INTO span_payloads (span_row_id, input, output) VALUES ($row, $in, $out)";
            var pr = new[] { "$row", "$in", "$out" }.Select(n => payload.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
            payload.Prepare();
            foreach (var s in rows)
            {
                object?[] values = [s.Id, s.TraceId, s.ParentId, s.SessionId, s.UserId, s.Name, (int)s.Kind, s.Model, s.Provider, s.StartMs, s.EndMs,
                    s.Usage.InputTokens, s.Usage.OutputTokens, s.Usage.CachedInputTokens, s.Usage.ReasoningTokens, s.CostPico, (int)s.CostSource,
                    (int)s.Status, s.Error, s.MetadataJson, s.Tags.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(s.Tags)];
                for (var i = 0; i < values.Length; i++)
                    p[i].Value = values[i] ?? DBNull.Value;
                var rowId = (long)insert.ExecuteScalar()!;
                if (s.InputJson is not null || s.OutputJson is not null)
                {
                    pr[0].Value = rowId;
                    pr[1].Value = (object?)s.InputJson ?? DBNull.Value;
                    pr[2].Value = (object?)s.OutputJson ?? DBNull.Value;
                    payload.ExecuteNonQuery();
                }
            }
            transaction.Commit();
        }
        return (clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
    }
}
