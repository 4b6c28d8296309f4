using Zespan.Bench;

const string usage = """
    Zespan benchmarks (results go to docs/benchmarks.md). Build the server first: scripts/build-server.sh (or set ZESPAN_SERVER_DLL).

      dotnet Zespan.Bench.dll ingest  [--sessions 3000] [--runs 5] [--concurrency 8] [--batch 1000] [--mix all|llm] [--base <data folder>] [--ids ordered|random] [--time history|live] [--order session|start]   (--base: runs alternate empty / a copy of it; --order as ingest-stages)
      dotnet Zespan.Bench.dll otlp    [--sessions 3000] [--runs 5] [--concurrency 8] [--batch 1000]   (OTLP protobuf vs /api/v1/ingest, LLM spans)
      dotnet Zespan.Bench.dll ingest-stages [--sessions 3000] [--runs 5] [--batch 1000] [--mix all|llm] [--base <folder>] [--ids ordered|random] [--time history|live] [--order session|start] [--profile]   (CPU, the write's allocations and pages per stage, in-process; --order start: spans sent in start order, each session's calls spread over the writes, as live traffic arrives; --profile: the writer's statements by time and its last commits' WAL pages by table)
      dotnet Zespan.Bench.dll long-session [--turns 20000] [--runs 5] [--rebuild-in-writer]   (writer hold time in a long session, in-process)
      dotnet Zespan.Bench.dll compare [--turns 1000] [--window 20] [--runs 7]   (compare page of two long sessions, over HTTP)
      dotnet Zespan.Bench.dll ingest-memory [--clients 200] [--body-mb 10] [--runs 3] [--seconds 60] [--budget-bytes N]
      dotnet Zespan.Bench.dll session-trends [--data /tmp/zespan-trends] [--sessions 1000000] [--days 90] [--runs 7]   (in-process)
      dotnet Zespan.Bench.dll session-search [--data /tmp/zespan-search] [--sessions 1000000] [--runs 7] [--only "maxTurns,minTurns"]   (issue-18 list columns and q=, in-process)
      dotnet Zespan.Bench.dll trace-status [--data /tmp/zespan-trace-status] [--sessions 1000000] [--days 30] [--runs 7] [--no-traces]   (traces by status, token outliers, the costs page's session queries, in-process)
      dotnet Zespan.Bench.dll clickhouse --env <cluster.env> --servers-data <folder> [--load-from 0] [--load-to 100000] [--chunk 20000] [--concurrency 8] [--batch 1000] [--runs 5] [--no-queries] [--only "detail,first page"] [--database zespan] [--warmups 1] [--no-peers] [--ids ordered|random]
      dotnet Zespan.Bench.dll clickhouse-raw --env <cluster.env> [--load-from 0] [--load-to 100000] [--chunk 100000] [--concurrency 4] [--batch 10000] [--database zespan_raw] [--ids ordered|random]   (the same spans inserted straight into one table with no views: the peers' write, the ceiling)
      dotnet Zespan.Bench.dll clickhouse-sweep --env <cluster.env> [--spans 9000000] [--recent 5000] [--runs 5]   (the repair sweep's check, whole and bounded, on synthetic rows)
      dotnet Zespan.Bench.dll queries --data <folder loaded by Zespan.DataGen sqlite> --key zsp_... [--runs 7] [--no-raw | --raw-only] [--issue18]
    """;

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var traffic = RecentTraffic.Options(Option("--ids", "ordered"), Option("--time", "history"));
switch (args.FirstOrDefault())
{
    case "ingest":
        await new IngestBenchmark(int.Parse(Option("--sessions", "3000")), int.Parse(Option("--runs", "5")),
            int.Parse(Option("--concurrency", "8")), int.Parse(Option("--batch", "1000")), Option("--mix", "all"), args.Contains("--base") ? Option("--base", "") : null,
            traffic.RandomIds, traffic.Live, int.Parse(Option("--warmups", "1")), RecentTraffic.InStartOrder(Option("--order", "session"))).RunAsync();
        return 0;
    case "otlp":
        await new OtlpIngestBenchmark(int.Parse(Option("--sessions", "3000")), int.Parse(Option("--runs", "5")),
            int.Parse(Option("--concurrency", "8")), int.Parse(Option("--batch", "1000"))).RunAsync();
        return 0;
    case "ingest-stages":
        await new IngestStagesBenchmark(int.Parse(Option("--sessions", "3000")), int.Parse(Option("--runs", "5")), int.Parse(Option("--batch", "1000")), Option("--mix", "all"),
            Option("--base", "") is { Length: > 0 } stagesBase ? stagesBase : null, traffic.RandomIds, traffic.Live, args.Contains("--profile"),
            RecentTraffic.InStartOrder(Option("--order", "session"))).RunAsync();
        return 0;
    case "long-session":
        await new LongSessionBenchmark(int.Parse(Option("--turns", "20000")), int.Parse(Option("--runs", "5")), args.Contains("--rebuild-in-writer")).RunAsync();
        return 0;
    case "session-search":
        await new SessionSearchBenchmark(Option("--data", "/tmp/zespan-search"), int.Parse(Option("--sessions", "1000000")), int.Parse(Option("--runs", "7")),
            args.Contains("--only") ? Option("--only", "") : null).RunAsync();
        return 0;
    case "sql-probe":
        await SqlProbe.RunAsync(Option("--data", ""), Option("--file", ""), int.Parse(Option("--runs", "7")), Option("--bind", "").Split(';', StringSplitOptions.RemoveEmptyEntries));
        return 0;
    case "compare":
        await new CompareBenchmark(int.Parse(Option("--turns", "1000")), int.Parse(Option("--window", "20")), int.Parse(Option("--runs", "7"))).RunAsync();
        return 0;
    case "ingest-memory":
        await new MemoryBoundBenchmark(int.Parse(Option("--clients", "200")), double.Parse(Option("--body-mb", "10")), int.Parse(Option("--runs", "3")),
            int.Parse(Option("--seconds", "60")), Option("--budget-bytes", "") is { Length: > 0 } b ? long.Parse(b) : null).RunAsync();
        return 0;
    case "queries":
        await new QueryBenchmark(Option("--data", ""), Option("--key", Environment.GetEnvironmentVariable("ZESPAN_API_KEY") ?? ""),
            int.Parse(Option("--runs", "7")), withRaw: !args.Contains("--no-raw"), rawOnly: args.Contains("--raw-only"), issue18Only: args.Contains("--issue18")).RunAsync();
        return 0;
    case "clickhouse":
        await new ClickHouseBenchmark(Option("--env", "/tmp/zespan-clickhouse/cluster.env"), Option("--servers-data", "/tmp/zespan-bench-clickhouse"),
            int.Parse(Option("--load-from", "0")), int.Parse(Option("--load-to", "0")), int.Parse(Option("--chunk", "20000")),
            int.Parse(Option("--concurrency", "8")), int.Parse(Option("--batch", "1000")), int.Parse(Option("--runs", "5")), queries: !args.Contains("--no-queries"),
            only: args.Contains("--only") ? Option("--only", "") : null, database: Option("--database", "zespan"),
            warmups: int.Parse(Option("--warmups", "1")), peers: !args.Contains("--no-peers"), randomIds: traffic.RandomIds).RunAsync();
        return 0;
    case "clickhouse-raw":
        await new ClickHouseRawInsertBenchmark(Option("--env", "/tmp/zespan-clickhouse/cluster.env"), int.Parse(Option("--load-from", "0")), int.Parse(Option("--load-to", "100000")),
            int.Parse(Option("--chunk", "100000")), int.Parse(Option("--concurrency", "4")), int.Parse(Option("--batch", "10000")), Option("--database", "zespan_raw"),
            traffic.RandomIds).RunAsync();
        return 0;
    case "clickhouse-sweep":
        await new SweepBoundBenchmark(Option("--env", "/tmp/zespan-clickhouse/cluster.env"), int.Parse(Option("--spans", "9000000")),
            int.Parse(Option("--recent", "5000")), int.Parse(Option("--runs", "5"))).RunAsync();
        return 0;
    case "session-trends":
        await new SessionTrendsBenchmark(Option("--data", "/tmp/zespan-trends"), int.Parse(Option("--sessions", "1000000")),
            int.Parse(Option("--days", "90")), int.Parse(Option("--runs", "7"))).RunAsync();
        return 0;
    case "trace-status":
        await new TraceStatusBenchmark(Option("--data", "/tmp/zespan-trace-status"), int.Parse(Option("--sessions", "1000000")),
            int.Parse(Option("--days", "30")), int.Parse(Option("--runs", "7")), withTraces: !args.Contains("--no-traces")).RunAsync();
        return 0;
    default:
        Console.WriteLine(usage);
        return 2;
}
