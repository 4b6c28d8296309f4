using System.Diagnostics;
using Zespan.Core.Spans;
using Zespan.DataGen;
using Zespan.Storage.ClickHouse;

namespace Zespan.Bench;

/// <summary>
/// The ceiling beside <see cref="ClickHouseBenchmark"/>'s HTTP ingestion: the peers' write on the same cluster. The same
/// LLM spans (same plan, same session range), parsed and priced by the server's own code and made into the rows Zespan's
/// writer sends (<see cref="SpanRow"/>), are inserted straight into <c>raw_spans</c>: a table of session_spans' shape —
/// its columns, engine, partitions, sort key and sharding by session — with no view on it and nothing kept beside it,
/// which is what a store that groups spans at read time writes. The INSERTs go through <see cref="ClickHouseHttp"/> with
/// the settings the servers use (synchronous Distributed inserts, the cluster's quorum), alternating between the nodes
/// as the two servers do. Rows are made and serialised before each chunk's clock starts; the clock runs from the first
/// INSERT to the last answer. ClickHouse's CPU is read from its processes, the bench's own from this process.
/// </summary>
public sealed class ClickHouseRawInsertBenchmark(string envFile, int loadFrom, int loadTo, int chunk, int concurrency, int batch, string database, bool randomIds)
{
    private const string RawTable = """
        CREATE TABLE IF NOT EXISTS ${db}.${local:raw_spans} ${on_cluster} AS ${db}.${local:session_spans}
        ENGINE = ${replacing:raw_spans:version}
        PARTITION BY toYYYYMM(toDateTime(intDiv(start_ms, 1000)))
        ORDER BY (project_id, session_id, span_id);
        ${distributed:raw_spans:cityHash64(project_id, session_id)}
        """;

    public async Task RunAsync()
    {
        var env = File.ReadAllLines(envFile).Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        var shards = env["ZESPAN_CLICKHOUSE_SHARD_URLS"].Split(',');
        var cluster = env["ZESPAN_CLICKHOUSE_CLUSTER"];
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromMinutes(10) };
        // One client per node first, as each server talks to its own node first and fails over to the other.
        var nodes = Enumerable.Range(0, shards.Length)
            .Select(i => new ClickHouseHttp(ClickHouseSettings.Create(string.Join(',', shards.Skip(i).Concat(shards.Take(i))), database, cluster: cluster), client))
            .ToList();
        await new ClickHouseMigrator(nodes[0], TimeProvider.System).InitializeAsync();
        foreach (var statement in ClickHouseSchema.Statements(RawTable, database, cluster))
            await nodes[0].ExecuteAsync(statement);

        var generator = new SessionGenerator(ClickHouseBenchmark.LoadPlan(randomIds));
        var versions = new RowVersions(TimeProvider.System);
        var clickhousePids = ClickHouseBenchmark.ClickHousePids(Path.GetDirectoryName(Path.GetFullPath(envFile))!);
        Console.WriteLine($"Raw insert into {database}.raw_spans: sessions {loadFrom:N0}..{loadTo:N0} ({(randomIds ? "random" : "ordered")} ids), chunks of {chunk:N0} sessions, " +
                          $"INSERTs of {batch:N0} rows, {concurrency} in flight, ClickHouse {env.GetValueOrDefault("ZESPAN_CLICKHOUSE_VERSION")} pids {string.Join(",", clickhousePids)}");
        long totalSpans = 0;
        double totalSeconds = 0, totalClickHouseCpu = 0, totalBenchCpu = 0;
        for (var first = loadFrom; first < loadTo; first += chunk)
        {
            var last = Math.Min(loadTo, first + chunk);
            var spans = ClickHouseBenchmark.LlmSpans(generator, first, last);
            // Through the server's parser and pricer, as POST /api/v1/ingest would store them.
            var priced = await IngestBenchmark.PriceAsync(spans.Chunk(1000).Select(IngestJson.Batch).ToList());
            var serialising = Stopwatch.StartNew();
            var rows = priced.Select(s => SpanRow.Of(1, s, versions.Next())).ToList();
            var made = serialising.Elapsed.TotalMilliseconds * 1e3 / priced.Count;
            var bodies = rows.Chunk(batch).Select(ClickHouseHttp.JsonEachRow).ToList();
            var serialised = serialising.Elapsed.TotalMilliseconds * 1e3 / priced.Count - made;
            Console.WriteLine($"  outside the clock, as the writer does: rows made {made:N1} µs/span, serialised {serialised:N1} µs/span, " +
                              $"{bodies.Sum(b => (long)b.Length) / priced.Count:N0} bytes/span");
            var clickhouseCpu = clickhousePids.Sum(ClickHouseBenchmark.CpuSeconds);
            var benchCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var load1 = ClickHouseBenchmark.LoadAverage();
            var clock = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < bodies.Count)
                    await nodes[i % nodes.Count].InsertJsonAsync("raw_spans", bodies[i]);
            })));
            var seconds = clock.Elapsed.TotalSeconds;
            var clickhouseCpuUsed = clickhousePids.Sum(ClickHouseBenchmark.CpuSeconds) - clickhouseCpu;
            var benchCpuUsed = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpu;
            totalSpans += priced.Count;
            totalSeconds += seconds;
            totalClickHouseCpu += clickhouseCpuUsed;
            totalBenchCpu += benchCpuUsed;
            Console.WriteLine($"  sessions {first:N0}..{last:N0}: {priced.Count:N0} LLM spans in {seconds:N1} s = {priced.Count / seconds:N0} spans/s; " +
                              $"ClickHouse CPU {clickhouseCpuUsed / seconds:N2} cores ({clickhouseCpuUsed * 1e6 / priced.Count:N0} µs/span), bench {benchCpuUsed * 1e6 / priced.Count:N0} µs/span; " +
                              $"load average {load1} -> {ClickHouseBenchmark.LoadAverage()}; {DateTime.UtcNow:HH:mm:ss}Z");
        }
        var count = (await nodes[0].QueryAsync("SELECT count() FROM " + database + ".raw_spans FORMAT JSONCompact", null, row => row[0].ToString()))[0];
        Console.WriteLine($"| Raw INSERT into one table with no views, sessions {loadFrom:N0}..{loadTo:N0} | {totalSpans:N0} LLM spans in {totalSeconds:N0} s | {totalSpans / totalSeconds:N0} LLM spans/s | " +
                          $"ClickHouse {totalClickHouseCpu / totalSeconds:N2} cores, {totalClickHouseCpu * 1e6 / totalSpans:N0} µs CPU/span | bench {totalBenchCpu * 1e6 / totalSpans:N0} µs CPU/span | {count} rows in raw_spans |");
    }
}
