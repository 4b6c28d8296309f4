using Zespan.Storage.ClickHouse;

namespace Zespan.Bench;

/// <summary>
/// The repair sweep's check (<see cref="ClickHouseSql.StaleSessions"/>) over a large project, read whole (a server's first
/// pass) and bounded to the rows written since the last pass (every later pass), on a fresh database of the cluster in
/// cluster.env. The rows are made on the server (INSERT … SELECT FROM numbers): spans old and settled, sessions with a
/// row newer than their spans, then recent writes of which some sessions have no newer row — the stale ones both
/// statements must return. The database is dropped at the end.
/// </summary>
public sealed class SweepBoundBenchmark(string envFile, int spans, int recentSpans, int runs)
{
    private const int SpansPerSession = 10;
    private const int StaleSessions = 10;
    private const long Project = 1;
    private static readonly long TicksPerSpan = TimeSpan.FromMilliseconds(10).Ticks;

    public async Task RunAsync()
    {
        var env = File.ReadAllLines(envFile).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        var settings = ClickHouseSettings.Create(env["ZESPAN_CLICKHOUSE_URL"], "zespan_sweep_bench", cluster: env.GetValueOrDefault("ZESPAN_CLICKHOUSE_CLUSTER"));
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var http = new ClickHouseHttp(settings, client);
        var sql = new ClickHouseSql(settings.Database);
        await new ClickHouseMigrator(http, TimeProvider.System).InitializeAsync();
        try
        {
            var now = (ulong)DateTimeOffset.UtcNow.UtcTicks;
            var written = await FillAsync(http, settings.Database, now);
            Console.WriteLine($"{spans:N0} settled span rows in {spans / SpansPerSession:N0} sessions, {recentSpans:N0} recent ones "
                + $"({recentSpans / SpansPerSession:N0} sessions, {StaleSessions} of them stale), filled in {written.TotalSeconds:N1} s; load {LoadAverage()}");
            var settled = now + (ulong)TimeSpan.FromMinutes(1).Ticks;
            var bound = now - (ulong)(SessionRowRepair.Settling + SessionRowRepair.LateWrites).Ticks;
            Console.WriteLine("| pass | reads versions after | stale sessions found | median | min–max |");
            Console.WriteLine("|---|---|---:|---:|---:|");
            foreach (var (name, writtenAfter) in new[] { ("first (whole)", 0UL), ("later (bounded)", bound) })
            {
                var parameters = new Dictionary<string, object?>
                {
                    ["project"] = Project, ["written_after"] = writtenAfter, ["settled"] = settled, ["batch"] = (long)SessionRowRepair.SessionsPerPass,
                };
                List<string> found = [];
                var time = await Stats.TimeAsync(async () => found = await http.QueryAsync(sql.StaleSessions, parameters, r => r[0].GetString()!), runs, warmups: 1);
                Console.WriteLine($"| {name} | {(writtenAfter == 0 ? "0" : "now − 10.5 min")} | {found.Count} | {time.MedianMs:N0} ms | {time.MinMs:N0}–{time.MaxMs:N0} ms |");
                if (found.Count != StaleSessions)
                    throw new InvalidOperationException($"{name}: {found.Count} stale sessions found, {StaleSessions} expected.");
            }
        }
        finally
        {
            await http.ExecuteAsync(ClickHouseSchema.DropDatabase(settings.Database, settings.Cluster));
        }
    }

    /// <summary>Settled spans a day old and their rows; then recent spans in the last sessions, all but the last few with a newer row.</summary>
    private async Task<TimeSpan> FillAsync(ClickHouseHttp http, string database, ulong now)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var old = now - (ulong)TimeSpan.FromDays(1).Ticks - (ulong)spans * (ulong)TicksPerSpan;
        var recent = now - (ulong)TimeSpan.FromMinutes(5).Ticks;
        const string columns = "project_id, span_id, trace_id, session_id, has_session, kind, start_ms, end_ms, input_tokens, output_tokens, cost_pico, priced, version";
        var parameters = new Dictionary<string, object?>
        {
            ["project"] = Project, ["spans"] = (ulong)spans, ["sessions"] = (ulong)(spans / SpansPerSession), ["recent_spans"] = (ulong)recentSpans, ["per_session"] = (long)SpansPerSession,
            ["old"] = old, ["recent"] = recent, ["tick"] = (ulong)TicksPerSpan, ["first_recent"] = (long)(spans / SpansPerSession - recentSpans / SpansPerSession / 2),
            ["fresh_rows"] = (ulong)(recentSpans / SpansPerSession - StaleSessions),
        };
        await http.ExecuteAsync($"""
            INSERT INTO {database}.session_spans ({columns})
            SELECT {"{project:Int64}"}, concat('s', toString(number)), concat('t', toString(intDiv(number, {"{per_session:Int64}"}))),
                concat('sess', toString(intDiv(number, {"{per_session:Int64}"}))), 1, 1, 1764000000000 + number * 10, 1764000000000 + number * 10 + 500,
                100, 50, 1000, 1, {"{old:UInt64}"} + number * {"{tick:UInt64}"}
            FROM numbers({"{spans:UInt64}"})
            """, parameters);
        await http.ExecuteAsync($"""
            INSERT INTO {database}.session_rows (project_id, session_id, turns, cost_pico, version)
            SELECT {"{project:Int64}"}, concat('sess', toString(number)), {"{per_session:Int64}"}, 10000,
                {"{old:UInt64}"} + (number * {"{per_session:Int64}"} + {"{per_session:Int64}"}) * {"{tick:UInt64}"}
            FROM numbers({"{sessions:UInt64}"})
            """, parameters);
        // The recent writes: half of their sessions are among the settled ones, half new.
        await http.ExecuteAsync($"""
            INSERT INTO {database}.session_spans ({columns})
            SELECT {"{project:Int64}"}, concat('r', toString(number)), 'recent', concat('sess', toString({"{first_recent:Int64}"} + intDiv(number, {"{per_session:Int64}"}))),
                1, 1, 1765000000000 + number, 1765000000000 + number + 5, 100, 50, 1000, 1, {"{recent:UInt64}"} + number * {"{tick:UInt64}"}
            FROM numbers({"{recent_spans:UInt64}"})
            """, parameters);
        await http.ExecuteAsync($"""
            INSERT INTO {database}.session_rows (project_id, session_id, turns, cost_pico, version)
            SELECT {"{project:Int64}"}, concat('sess', toString({"{first_recent:Int64}"} + number)), 20, 20000,
                {"{recent:UInt64}"} + (number * {"{per_session:Int64}"} + {"{per_session:Int64}"}) * {"{tick:UInt64}"}
            FROM numbers({"{fresh_rows:UInt64}"})
            """, parameters);
        return clock.Elapsed;
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
