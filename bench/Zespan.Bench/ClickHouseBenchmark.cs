using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Zespan.Core.Spans;
using Zespan.DataGen;
using Zespan.Storage.ClickHouse;

namespace Zespan.Bench;

/// <summary>
/// Zespan on a two-shard ClickHouse cluster (scripts/clickhouse-cluster.sh), beside the peers' query-time approach on the
/// same cluster. Two real server processes (ZESPAN_STORAGE=clickhouse, each its own SQLite control plane bootstrapped
/// with the same key and the Scale plan, so both call the project 1) are started; the load posts LLM spans (the SDKs' traffic: one span per
/// wrapped call) through POST /api/v1/ingest of both servers, resumable by session index so a large load can be done in
/// steps; generation and JSON serialisation happen between the timed posting phases. Each query is then timed over HTTP
/// against a server and beside it the same answer computed the peers' way (the span table grouped at query time with
/// FINAL, as Langfuse, Helicone and Laminar do) straight over ClickHouse's HTTP interface, and the two answers compared.
/// </summary>
public sealed partial class ClickHouseBenchmark(string envFile, string serversData, int loadFrom, int loadTo, int chunk, int concurrency, int batch, int runs, bool queries, string? only = null, string database = "zespan",
    int warmups = 1, bool peers = true, bool randomIds = false)
{
    public const string Key = "zsp_bench_clickhouse_key_0123456789";
    private readonly string Db = database;
    private static readonly DateTimeOffset End = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
    // The shared 1 M-session data set's plan (docs/benchmarks.md "Queries at 1 M sessions"): a prefix of it loads the same sessions.
    // Random ids (--ids random) are hex span, trace and session ids as SDKs send them; the default ids grow with the session
    // number, so a batch's sessions are neighbours in session_spans' sort key, which flatters the writer's lookups.
    private readonly GenerationPlan Plan = LoadPlan(randomIds);

    /// <summary>The plan both ClickHouse loads generate from (this one and <see cref="ClickHouseRawInsertBenchmark"/>).</summary>
    internal static GenerationPlan LoadPlan(bool randomIds) => new() { Seed = 42, Sessions = 1_000_000, Users = 200_000, Days = 30, End = End, RandomIds = randomIds };

    /// <summary>The LLM spans of sessions [first, last) as the SDKs send them: without their agent-turn parents, as a wrapped call outside any span.</summary>
    internal static List<SpanRecord> LlmSpans(SessionGenerator generator, int first, int last) =>
        Enumerable.Range(first, last - first).SelectMany(generator.Generate).Where(s => s.Kind == SpanKind.Llm).Select(s => s with { ParentId = null }).ToList();

    public async Task RunAsync()
    {
        var env = File.ReadAllLines(envFile).Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        var shards = env["ZESPAN_CLICKHOUSE_SHARD_URLS"].Split(',');
        using var ch = new HttpClient { BaseAddress = new Uri(shards[0].TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(10) };
        var servers = new List<ServerProcess>();
        var sinceServersStarted = Stopwatch.StartNew();
        try
        {
            // Each server talks to its own node first and fails over to the other one.
            for (var i = 0; i < 2; i++)
            {
                var urls = string.Join(',', shards.Skip(i).Concat(shards.Take(i)));
                var data = Path.Combine(serversData, $"server{i + 1}");
                Directory.CreateDirectory(data);
                servers.Add(await ServerProcess.StartAsync(data, Key, new Dictionary<string, string>
                {
                    ["ZESPAN_STORAGE"] = "clickhouse",
                    ["ZESPAN_CLICKHOUSE_URL"] = urls,
                    ["ZESPAN_CLICKHOUSE_CLUSTER"] = env["ZESPAN_CLICKHOUSE_CLUSTER"],
                    ["ZESPAN_CLICKHOUSE_DATABASE"] = Db,
                    ["ZESPAN_PLAN"] = "scale", // a retention window that keeps the 30 days the load spans
                }));
            }
            Console.WriteLine($"ClickHouse {env.GetValueOrDefault("ZESPAN_CLICKHOUSE_VERSION")} shards {string.Join(", ", shards)}; servers {servers[0].Url} {servers[1].Url}");
            if (loadTo > loadFrom)
                await LoadAsync(servers, env);
            if (queries)
                await QueryAsync(servers[0], ch, shards, sinceServersStarted);
        }
        finally
        {
            foreach (var server in servers)
                await server.DisposeAsync();
        }
    }

    // ---------------------------------------------------------------- load

    private async Task LoadAsync(List<ServerProcess> servers, Dictionary<string, string> env)
    {
        var generator = new SessionGenerator(Plan);
        var clients = servers.Select(s =>
        {
            var c = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = s.Url, Timeout = TimeSpan.FromMinutes(5) };
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            return c;
        }).ToList();
        var clickhousePids = ClickHousePids(Path.GetDirectoryName(Path.GetFullPath(envFile))!);
        Console.WriteLine($"Load: sessions {loadFrom:N0}..{loadTo:N0} (LLM spans only, {(Plan.RandomIds ? "random" : "ordered")} ids, seed {Plan.Seed}, {Plan.Users:N0} users, {Plan.Days} days to {End:yyyy-MM-dd}), " +
                          $"chunks of {chunk:N0} sessions, batches of {batch} spans, {concurrency} requests in flight per server, ClickHouse pids {string.Join(",", clickhousePids)}");
        long totalSpans = 0;
        double totalSeconds = 0, totalServerCpu = 0, totalClickHouseCpu = 0;
        for (var first = loadFrom; first < loadTo; first += chunk)
        {
            var last = Math.Min(loadTo, first + chunk);
            var spans = LlmSpans(generator, first, last);
            var bodies = spans.Chunk(batch).Select(IngestJson.Batch).ToList();
            var load1 = LoadAverage();
            var serverCpu = servers.Sum(s => s.CpuTime().TotalSeconds);
            var clickhouseCpu = clickhousePids.Sum(CpuSeconds);
            var clock = Stopwatch.StartNew();
            long accepted = 0;
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 2 * concurrency).Select(w => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < bodies.Count)
                    Interlocked.Add(ref accepted, await HttpIngestSink.PostWithRetryAsync(clients[i % 2], bodies[i], CancellationToken.None));
            })));
            var seconds = clock.Elapsed.TotalSeconds;
            if (accepted != spans.Count)
                throw new InvalidOperationException($"The servers accepted {accepted} of {spans.Count} spans.");
            var serverCpuUsed = servers.Sum(s => s.CpuTime().TotalSeconds) - serverCpu;
            var clickhouseCpuUsed = clickhousePids.Sum(CpuSeconds) - clickhouseCpu;
            totalSpans += spans.Count;
            totalSeconds += seconds;
            totalServerCpu += serverCpuUsed;
            totalClickHouseCpu += clickhouseCpuUsed;
            Console.WriteLine($"  sessions {first:N0}..{last:N0}: {spans.Count:N0} LLM spans in {seconds:N1} s = {spans.Count / seconds:N0} spans/s; " +
                              $"servers CPU {serverCpuUsed / seconds:N2} cores ({serverCpuUsed * 1e6 / spans.Count:N0} µs/span), ClickHouse CPU {clickhouseCpuUsed / seconds:N2} cores; " +
                              $"load average {load1} -> {LoadAverage()}; {DateTime.UtcNow:HH:mm:ss}Z");
        }
        Console.WriteLine($"| HTTP ingestion into two servers, sessions {loadFrom:N0}..{loadTo:N0} | {totalSpans:N0} LLM spans in {totalSeconds:N0} s | {totalSpans / totalSeconds:N0} LLM spans/s | " +
                          $"servers {totalServerCpu / totalSeconds:N2} cores, {totalServerCpu * 1e6 / totalSpans:N0} µs CPU/span | ClickHouse {totalClickHouseCpu / totalSeconds:N2} cores, {totalClickHouseCpu * 1e6 / totalSpans:N0} µs CPU/span |");
        foreach (var c in clients)
            c.Dispose();
    }

    internal static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>The clickhouse-server processes: descendants of the recorded pids (the script starts them through nohup and runuser).</summary>
    internal static List<int> ClickHousePids(string state)
    {
        var parents = new[] { "node1", "node2" }.Select(n => Path.Combine(state, n, "pid")).Where(File.Exists).Select(f => int.Parse(File.ReadAllText(f).Trim())).ToList();
        var children = new Dictionary<int, List<int>>();
        var names = new Dictionary<int, string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                names[pid] = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                (children.TryGetValue(ppid, out var list) ? list : children[ppid] = []).Add(pid);
            }
            catch (IOException) { }
        }
        var pids = new List<int>();
        var pending = new Queue<int>(parents);
        while (pending.TryDequeue(out var pid))
        {
            if (names.GetValueOrDefault(pid, "").StartsWith("clickhouse", StringComparison.Ordinal))
                pids.Add(pid);
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
                pending.Enqueue(child);
        }
        return pids;
    }

    internal static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    // ---------------------------------------------------------------- queries

    /// <summary>The peers' session row: their span table read with FINAL and grouped by session at query time.</summary>
    private string PeerSessions(string spanCondition = "", bool withTags = false, bool withFeature = false) => $"""
        SELECT session_id AS s_id, argMin(user_id, start_ms) AS s_user, min(start_ms) AS s_started, max(end_ms) AS s_ended,
            count() AS s_turns, sum(cost_pico) AS s_cost, countIf(priced = 0) AS s_unpriced, sum(input_tokens + output_tokens) AS s_tokens,
            countIf(status = 1) AS s_errors{(withTags ? ", groupUniqArrayArray(tags) AS s_tags" : "")}{(withFeature ? ", groupUniqArrayIf(metadata_values[indexOf(metadata_keys, 'feature')], has(metadata_keys, 'feature')) AS s_feature" : "")}
        FROM {Db}.session_spans FINAL
        WHERE project_id = 1 AND deleted = 0 AND kind = 1 AND has_session = 1{spanCondition}
        GROUP BY session_id
        """;

    /// <summary>The peers' trace row: their span table read with FINAL and grouped by trace at query time.</summary>
    private string PeerTraces() => $"""
        SELECT trace_id AS t_id, count() AS t_spans, min(start_ms) AS t_started, argMinIf(user_id, (start_ms, span_id), has_user = 1) AS t_user,
            countIf(status = 1) AS t_errors
        FROM {Db}.session_spans FINAL
        WHERE project_id = 1 AND deleted = 0
        GROUP BY trace_id
        """;

    private const string TraceOrder = "ORDER BY t_started DESC, t_id DESC";

    private static readonly TimeSpan ZespanCap = TimeSpan.FromSeconds(90);

    private const string CostOrder = "ORDER BY (s_unpriced = s_turns) DESC, s_cost DESC, s_id DESC";

    private sealed record Case(string Name, string Path, string[] PeerSql, Func<JsonElement, List<string[]>, string> Check, double TargetMs);

    private async Task QueryAsync(ServerProcess server, HttpClient ch, string[] shards, Stopwatch sinceServersStarted)
    {
        async Task<List<string[]>> Rows(string sql)
        {
            using var response = await ch.PostAsync("", new StringContent(sql + " FORMAT TabSeparated", Encoding.UTF8));
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"ClickHouse answered {(int)response.StatusCode}: {text[..Math.Min(600, text.Length)]}");
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        }
        async Task<string> One(string sql) => (await Rows(sql))[0][0];

        await QuietAsync(shards, sinceServersStarted);

        var spanRows = long.Parse(await One($"SELECT count() FROM {Db}.session_spans WHERE project_id = 1"));
        var llmSpans = long.Parse(await One($"SELECT count() FROM {Db}.session_spans FINAL WHERE project_id = 1 AND kind = 1 AND deleted = 0"));
        var sessions = long.Parse(await One($"SELECT uniqExact(session_id) FROM {Db}.session_spans WHERE project_id = 1 AND kind = 1 AND has_session = 1"));
        var endMs = long.Parse(await One($"SELECT max(start_ms) FROM {Db}.session_spans WHERE project_id = 1")) + 3_600_000;
        var longest = (await Rows($"SELECT session_id, count() AS n FROM {Db}.session_spans WHERE project_id = 1 AND kind = 1 GROUP BY session_id ORDER BY n DESC, session_id LIMIT 1"))[0];
        var heavyUser = await One($"SELECT s_user FROM ({PeerSessions()}) GROUP BY s_user ORDER BY count() DESC, s_user LIMIT 1");
        var bytes = await One($"SELECT sum(bytes_on_disk) FROM system.parts WHERE database = '{Db}' AND active");
        foreach (var id in new[] { longest[0], heavyUser })
            if (!PlainId().IsMatch(id))
                throw new InvalidOperationException($"Unexpected id {id}: the peers' SQL splices ids, so they must be plain."); // our generator's ids; never user input
        Console.WriteLine($"Data: {llmSpans:N0} LLM spans ({spanRows:N0} rows) in {sessions:N0} sessions; longest {longest[0]} with {int.Parse(longest[1]):N0} turns; " +
                          $"heaviest user {heavyUser}; node 1 holds {long.Parse(bytes) / 1024.0 / 1024:N0} MB of parts; load average {LoadAverage()}");

        var from30 = endMs - 30L * 86_400_000;
        var from7 = endMs - 7L * 86_400_000;
        string Iso(long ms) => Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        var window30 = $"from={Iso(from30)}&to={Iso(endMs)}";
        var inWindow30 = $"s_started >= {from30} AND s_started < {endMs}";
        var dayTo = (endMs / 86_400_000 + 1) * 86_400_000; // whole UTC days, as the Costs page asks

        var cases = new List<Case>
        {
            new("List, first page by cost", "api/v1/sessions?sort=costUsd&limit=50",
                [$"SELECT s_id, s_turns FROM ({PeerSessions()}) {CostOrder} LIMIT 51", $"SELECT count() FROM ({PeerSessions()})"], CheckList, 50),
            new("List, status=error & minTurns=5, by cost", "api/v1/sessions?sort=costUsd&status=error&minTurns=5&limit=50",
                [$"SELECT s_id, s_turns FROM ({PeerSessions()}) WHERE s_errors > 0 AND s_turns >= 5 {CostOrder} LIMIT 51",
                 $"SELECT count() FROM ({PeerSessions()}) WHERE s_errors > 0 AND s_turns >= 5"], CheckList, 200),
            new("List, 7 days & status=ok & minTurns=20, by turns", $"api/v1/sessions?sort=turns&from={Iso(from7)}&to={Iso(endMs)}&status=ok&minTurns=20&limit=50",
                [$"SELECT s_id, s_turns FROM ({PeerSessions()}) WHERE s_started >= {from7} AND s_started < {endMs} AND s_errors = 0 AND s_turns >= 20 ORDER BY s_turns DESC, s_id DESC LIMIT 51",
                 $"SELECT count() FROM ({PeerSessions()}) WHERE s_started >= {from7} AND s_started < {endMs} AND s_errors = 0 AND s_turns >= 20"], CheckList, 200),
            new("List, userId & 30 days & status=error, by startedAt", $"api/v1/sessions?userId={heavyUser}&{window30}&status=error&limit=50",
                [$"SELECT s_id, s_turns FROM ({PeerSessions($" AND user_id = '{heavyUser}'")}) WHERE {inWindow30} AND s_errors > 0 ORDER BY s_started DESC, s_id DESC LIMIT 51",
                 $"SELECT count() FROM ({PeerSessions($" AND user_id = '{heavyUser}'")}) WHERE {inWindow30} AND s_errors > 0"], CheckList, 200),
            new("List, all filters, by durationMs", $"api/v1/sessions?sort=durationMs&userId={heavyUser}&{window30}&status=ok&minTurns=2&limit=50",
                [$"SELECT s_id, s_turns FROM ({PeerSessions($" AND user_id = '{heavyUser}'")}) WHERE {inWindow30} AND s_errors = 0 AND s_turns >= 2 ORDER BY s_ended - s_started DESC, s_id DESC LIMIT 51",
                 $"SELECT count() FROM ({PeerSessions($" AND user_id = '{heavyUser}'")}) WHERE {inWindow30} AND s_errors = 0 AND s_turns >= 2"], CheckList, 200),
            new($"Session detail ({int.Parse(longest[1]):N0} turns)", $"api/v1/sessions/{longest[0]}",
                [$"SELECT s_id, s_turns FROM ({PeerSessions($" AND session_id = '{longest[0]}'")})",
                 $"SELECT span_id, trace_id, name, model, start_ms, end_ms, input_tokens, output_tokens, cost_pico, status, error, input_json, output_json FROM {Db}.session_spans FINAL " +
                 $"WHERE project_id = 1 AND session_id = '{longest[0]}' AND kind = 1 AND deleted = 0 ORDER BY start_ms, span_id"], CheckDetail, 50),
            new("Stats over 30 days", $"api/v1/sessions/stats?{window30}",
                [$"SELECT count(), sum(s_cost), sum(s_turns), countIf(s_errors > 0), sum(s_unpriced), quantileExactIf(0.5)(s_cost, s_unpriced < s_turns), quantileExactIf(0.95)(s_cost, s_unpriced < s_turns) FROM ({PeerSessions()}) WHERE {inWindow30}"],
                CheckStats, 500),
            new("Stats, userId over 30 days", $"api/v1/sessions/stats?userId={heavyUser}&{window30}",
                [$"SELECT count(), sum(s_cost), sum(s_turns), countIf(s_errors > 0), sum(s_unpriced), quantileExactIf(0.5)(s_cost, s_unpriced < s_turns), quantileExactIf(0.95)(s_cost, s_unpriced < s_turns) FROM ({PeerSessions($" AND user_id = '{heavyUser}'")}) WHERE {inWindow30}"],
                CheckStats, 500),
            new("Breakdown by tag, userId over 30 days", $"api/v1/sessions/breakdown?by=tag&userId={heavyUser}&{window30}",
                [$"SELECT tag, count() AS n, sum(s_cost) AS c, sum(s_turns), countIf(s_unpriced = s_turns) AS u FROM ({PeerSessions($" AND user_id = '{heavyUser}'", withTags: true)}) ARRAY JOIN s_tags AS tag WHERE {inWindow30} GROUP BY tag ORDER BY (u = n), c DESC, tag LIMIT 20"],
                CheckBreakdown, 500),
            new("Breakdown by userId over 30 days", $"api/v1/sessions/breakdown?by=userId&{window30}",
                [$"SELECT s_user, count() AS n, sum(s_cost) AS c, sum(s_turns), countIf(s_unpriced = s_turns) AS u FROM ({PeerSessions()}) WHERE {inWindow30} GROUP BY s_user ORDER BY (u = n), c DESC, s_user LIMIT 20"],
                CheckBreakdown, 500),
            new("Breakdown by tag over 30 days", $"api/v1/sessions/breakdown?by=tag&{window30}",
                [$"SELECT tag, count() AS n, sum(s_cost) AS c, sum(s_turns), countIf(s_unpriced = s_turns) AS u FROM ({PeerSessions(withTags: true)}) ARRAY JOIN s_tags AS tag WHERE {inWindow30} GROUP BY tag ORDER BY (u = n), c DESC, tag LIMIT 20"],
                CheckBreakdown, 500),
            new("Breakdown by metadata.feature over 30 days", $"api/v1/sessions/breakdown?by=metadata.feature&{window30}",
                [$"SELECT feature, count() AS n, sum(s_cost) AS c, sum(s_turns), countIf(s_unpriced = s_turns) AS u FROM ({PeerSessions(withFeature: true)}) ARRAY JOIN s_feature AS feature WHERE {inWindow30} GROUP BY feature ORDER BY (u = n), c DESC, feature LIMIT 20"],
                CheckBreakdown, 500),
            new("Cost by model over 30 days", $"api/v1/costs/models?{window30}",
                [$"SELECT model, count() FROM {Db}.session_spans FINAL WHERE project_id = 1 AND kind = 1 AND deleted = 0 AND start_ms >= {from30} AND start_ms < {endMs} GROUP BY model ORDER BY model"],
                CheckModels, 500),
            new("Cost per day over 30 whole days", $"api/v1/costs/timeseries?from={Iso(dayTo - 30L * 86_400_000)}&to={Iso(dayTo)}&bucket=day",
                [$"SELECT intDiv(start_ms, 86400000) AS d, count() FROM {Db}.session_spans FINAL WHERE project_id = 1 AND kind = 1 AND deleted = 0 AND start_ms >= {dayTo - 30L * 86_400_000} AND start_ms < {dayTo} GROUP BY d ORDER BY d"],
                CheckBuckets, 500),
            new("Traces list, first page", "api/v1/traces?limit=50",
                [$"SELECT t_id, t_spans FROM ({PeerTraces()}) {TraceOrder} LIMIT 51", $"SELECT count() FROM ({PeerTraces()})"], CheckTraces, 50),
            new("Traces list, userId & status=error", $"api/v1/traces?userId={heavyUser}&status=error&limit=50",
                [$"SELECT t_id, t_spans FROM ({PeerTraces()}) WHERE t_user = '{heavyUser}' AND t_errors > 0 {TraceOrder} LIMIT 51",
                 $"SELECT count() FROM ({PeerTraces()}) WHERE t_user = '{heavyUser}' AND t_errors > 0"], CheckTraces, 200),
        };

        // A Zespan call gets at most ZespanCap: past it, the run is "no answer" and the table moves on (the server itself
        // gives ClickHouse 60 s, then fails over to the other node).
        using var client = new HttpClient { BaseAddress = server.Url, Timeout = ZespanCap };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Console.WriteLine();
        Console.WriteLine($"| Query ({sessions:N0} sessions, {llmSpans:N0} LLM spans) | Zespan over HTTP | Peers' FINAL + GROUP BY over ClickHouse HTTP | peers / Zespan | same answer | target | verdict |");
        Console.WriteLine("|---|---:|---:|---:|---|---|---|");
        // --only "detail,first page": the cases whose name contains one of these (case-insensitive), to time a few at a size where the rest take minutes.
        var selected = only is null ? cases : cases.Where(c => only.Split(',').Any(o => c.Name.Contains(o.Trim(), StringComparison.OrdinalIgnoreCase))).ToList();
        foreach (var c in selected)
        {
            string? zespanError = null;
            JsonElement zespanAnswer = default;
            var zespan = await TimeAsync(async () =>
            {
                HttpResponseMessage response;
                try
                {
                    response = await client.GetAsync(c.Path);
                }
                catch (TaskCanceledException)
                {
                    zespanError = $"no answer within {ZespanCap.TotalSeconds:N0} s";
                    return false;
                }
                using var _ = response;
                var text = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode)
                {
                    zespanError = $"{(int)response.StatusCode}";
                    return false;
                }
                zespanAnswer = JsonDocument.Parse(text).RootElement.Clone();
                return true;
            });
            if (zespanError is not null)
                await KillLeftoversAsync(shards);
            List<string[]> peerAnswer = [];
            // --no-peers: Zespan's side only, to compare server builds over the same rows without timing the peers' way again.
            if (!peers)
            {
                Console.WriteLine($"| {c.Name} | {Cell(zespan)} | not run | — | {(zespanError is null ? "not compared" : zespanError)} | ≤ {c.TargetMs:N0} ms | {(zespanError is null && zespan.Median <= c.TargetMs ? "met" : "missed")} |");
                continue;
            }
            string? peerError = null;
            var peerTimes = await TimeAsync(async () =>
            {
                var all = new List<string[]>();
                try
                {
                    foreach (var sql in c.PeerSql)
                        all.AddRange(await Rows(sql));
                }
                catch (InvalidOperationException e)
                {
                    // The peers' way can fail where Zespan answers (the memory limit at 10 M spans): reported, not fatal.
                    peerError = e.Message.Contains("Memory limit", StringComparison.Ordinal) ? "peers: memory limit" : "peers: " + e.Message[..Math.Min(120, e.Message.Length)];
                    return false;
                }
                peerAnswer = all;
                return true;
            });
            if (peerError is not null)
                await KillLeftoversAsync(shards);
            var same = zespanError is not null ? $"Zespan: {zespanError} ({zespan.Median / 1000:N0} s)" : peerError ?? c.Check(zespanAnswer, peerAnswer);
            var verdict = zespanError is null && zespan.Median <= c.TargetMs ? "met" : "missed";
            Console.WriteLine($"| {c.Name} | {Cell(zespan)} | {Cell(peerTimes)} | {(zespanError is null && peerError is null ? $"{peerTimes.Median / zespan.Median:N2}×" : "—")} | {same} | ≤ {c.TargetMs:N0} ms | {verdict} |");
        }
        Console.WriteLine($"load average after the queries {LoadAverage()}; {DateTime.UtcNow:HH:mm:ss}Z");
    }

    private static string Cell((double Median, double Min, double Max, int Runs) t) =>
        t.Runs == 0 ? $"{t.Median / 1000:N1} s (one run)" : t.Median >= 1000 ? $"{t.Median / 1000:N2} s (min {t.Min / 1000:N2}, max {t.Max / 1000:N2}; {t.Runs} runs)" : $"{t.Median:N1} ms (min {t.Min:N1}, max {t.Max:N1}; {t.Runs} runs)";

    /// <summary>
    /// One warm-up, then the median of the runs: 3 where one run takes over 5 s, and none where the warm-up took over
    /// 60 s or failed (its one figure is reported, so a side that cannot answer still lets the table finish). With
    /// --warmups N, N warm-up calls instead of one: the servers start with each run, so a few runs time code that the
    /// runtime has not yet optimised (tiered JIT), which a server that has been up for a while no longer runs.
    /// </summary>
    private async Task<(double Median, double Min, double Max, int Runs)> TimeAsync(Func<Task<bool>> action)
    {
        var warm = Stopwatch.StartNew();
        var ok = await action();
        var first = warm.Elapsed.TotalMilliseconds;
        if (!ok || first > 60_000)
            return (first, first, first, 0);
        for (var i = 1; i < warmups && first <= 5_000; i++)
            await action();
        var n = first > 5_000 ? Math.Min(3, runs) : runs;
        var times = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (Stats.Median(times), times.Min(), times.Max(), n);
    }

    /// <summary>
    /// Waits until the servers' first repair sweep has started (<see cref="SessionRowRepair.Interval"/> after their
    /// start; it reads every span row: 6.3 s per server at 10 M rows), then (up to 5 minutes) until neither node runs a
    /// statement or a merge, twice a second apart. Timed beside the sweeps, a ~50 ms detail measured 60–190 ms; the steady
    /// state is what the targets are about.
    /// </summary>
    private static async Task QuietAsync(IEnumerable<string> shards, Stopwatch sinceServersStarted)
    {
        var firstSweep = SessionRowRepair.Interval + TimeSpan.FromSeconds(2);
        if (sinceServersStarted.Elapsed < firstSweep)
            await Task.Delay(firstSweep - sinceServersStarted.Elapsed);
        using var http = new HttpClient();
        var waited = Stopwatch.StartNew();
        var quietPolls = 0;
        while (quietPolls < 2 && waited.Elapsed < TimeSpan.FromMinutes(5))
        {
            long busy = 0;
            foreach (var shard in shards)
            {
                using var response = await http.PostAsync(shard, new StringContent(
                    "SELECT (SELECT count() FROM system.processes WHERE query NOT LIKE '%system.processes%') + (SELECT count() FROM system.merges)"));
                busy += long.Parse((await response.Content.ReadAsStringAsync()).Trim(), CultureInfo.InvariantCulture);
            }
            quietPolls = busy == 0 ? quietPolls + 1 : 0;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        Console.WriteLine($"Cluster quiet (no statement or merge running) {sinceServersStarted.Elapsed.TotalSeconds:N0} s after the servers started");
    }

    /// <summary>A statement the client gave up on keeps running in ClickHouse 18.16; stop it so the next case has the cores.</summary>
    private static async Task KillLeftoversAsync(IEnumerable<string> shards)
    {
        using var http = new HttpClient();
        foreach (var shard in shards)
            await http.PostAsync(shard, new StringContent("KILL QUERY WHERE query LIKE 'SELECT s_id, s_user%' OR query LIKE 'SELECT count() FROM (SELECT s_id%' ASYNC"));
    }

    // ---------------------------------------------------------------- answer checks

    private static string CheckList(JsonElement zespan, List<string[]> peers)
    {
        var count = long.Parse(peers[^1][0]);
        var peerPage = peers.Take(Math.Min(50, peers.Count - 1)).Select(r => $"{r[0]}:{r[1]}").ToList();
        var page = zespan.GetProperty("data").EnumerateArray().Select(s => $"{s.GetProperty("sessionId").GetString()}:{s.GetProperty("turns").GetInt64()}").ToList();
        var total = zespan.GetProperty("totalCount").GetInt64();
        return page.SequenceEqual(peerPage) && total == count ? $"yes ({page.Count} rows, total {total:N0})" : $"NO (Zespan {page.Count} rows, total {total}; peers {peerPage.Count}, total {count})";
    }

    private static string CheckTraces(JsonElement zespan, List<string[]> peers)
    {
        var count = long.Parse(peers[^1][0]);
        var peerPage = peers.Take(Math.Min(50, peers.Count - 1)).Select(r => $"{r[0]}:{r[1]}").ToList();
        var page = zespan.GetProperty("data").EnumerateArray().Select(t => $"{t.GetProperty("traceId").GetString()}:{t.GetProperty("spans").GetInt64()}").ToList();
        var total = zespan.GetProperty("totalCount").GetInt64();
        return page.SequenceEqual(peerPage) && total == count ? $"yes ({page.Count} rows, total {total:N0})" : $"NO (Zespan {page.Count} rows, total {total}; peers {peerPage.Count}, total {count})";
    }

    private static string CheckDetail(JsonElement zespan, List<string[]> peers)
    {
        var turns = long.Parse(peers[0][1]);
        var peerSpans = peers.Skip(1).Select(r => r[0]).ToList();
        var timeline = zespan.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("spanId").GetString()!).ToList();
        var zespanTurns = zespan.GetProperty("session").GetProperty("turns").GetInt64();
        return timeline.SequenceEqual(peerSpans) && zespanTurns == turns ? $"yes ({timeline.Count} spans in order)" : $"NO (Zespan {timeline.Count} spans / {zespanTurns} turns, peers {peerSpans.Count} / {turns})";
    }

    private static string CheckStats(JsonElement zespan, List<string[]> peers)
    {
        var r = peers[0];
        var ours = new[] { zespan.GetProperty("sessions").GetInt64(), zespan.GetProperty("totalTurns").GetInt64(), zespan.GetProperty("sessionsWithErrors").GetInt64(), zespan.GetProperty("unpricedCalls").GetInt64() };
        var theirs = new[] { long.Parse(r[0]), long.Parse(r[2]), long.Parse(r[3]), long.Parse(r[4]) };
        var cost = zespan.GetProperty("totalCostUsd").GetDecimal();
        var peerCost = long.Parse(r[1]) / 1e12m;
        return ours.SequenceEqual(theirs) && Math.Abs(cost - peerCost) < 0.000001m
            ? $"yes ({ours[0]:N0} sessions, {ours[1]:N0} turns, ${cost:N2})"
            : $"NO (Zespan {string.Join('/', ours)} ${cost}; peers {string.Join('/', theirs)} ${peerCost})";
    }

    private static string CheckBreakdown(JsonElement zespan, List<string[]> peers)
    {
        var ours = zespan.GetProperty("data").EnumerateArray().Take(10)
            .Select(g => $"{(g.GetProperty("group").ValueKind == JsonValueKind.Null ? "" : g.GetProperty("group").GetString())}:{g.GetProperty("sessions").GetInt64()}:{g.GetProperty("turns").GetInt64()}").ToList();
        var theirs = peers.Take(ours.Count).Select(r => $"{r[0]}:{r[1]}:{r[3]}").ToList();
        return ours.Count > 0 && ours.SequenceEqual(theirs) ? $"yes (top {ours.Count} groups)" : $"NO (Zespan {string.Join(' ', ours.Take(3))}…; peers {string.Join(' ', theirs.Take(3))}…)";
    }

    private static string CheckModels(JsonElement zespan, List<string[]> peers)
    {
        var ours = zespan.GetProperty("data").EnumerateArray().Select(m => $"{m.GetProperty("model").GetString() ?? ""}:{m.GetProperty("calls").GetInt64()}").Order(StringComparer.Ordinal).ToList();
        var theirs = peers.Select(r => $"{r[0]}:{r[1]}").Order(StringComparer.Ordinal).ToList();
        return ours.SequenceEqual(theirs) ? $"yes ({ours.Count} models)" : $"NO (Zespan {string.Join(' ', ours.Take(3))}…; peers {string.Join(' ', theirs.Take(3))}…)";
    }

    private static string CheckBuckets(JsonElement zespan, List<string[]> peers)
    {
        var ours = zespan.EnumerateArray().Select(b => b.GetProperty("calls").GetInt64()).Where(c => c > 0).ToList();
        var theirs = peers.Select(r => long.Parse(r[1])).ToList();
        return ours.SequenceEqual(theirs) ? $"yes ({ours.Sum():N0} calls in {ours.Count} days)" : $"NO (Zespan {ours.Sum()} calls in {ours.Count} days; peers {theirs.Sum()} in {theirs.Count})";
    }

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex PlainId();
}
