using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// Read latencies on a loaded data folder (see DataGen sqlite): each API call is timed end to end over HTTP against a real
/// server (median of runs after warm-up), beside the same answer computed by grouping the raw spans in SQLite — the
/// query-time approach most peers use — timed in-process on the same file, so the ratio excludes HTTP from the raw side.
/// Then the server's resident memory and the database's bytes per span.
/// </summary>
public sealed class QueryBenchmark(string dataDirectory, string apiKey, int runs, bool withRaw = true, bool rawOnly = false, bool issue18Only = false)
{
    private const string LlmSessions = "FROM spans WHERE project_id = 1 AND kind = 1 AND session_id IS NOT NULL";
    private const string RawGroup = $"""
        SELECT session_id, min(start_ms) AS started, max(end_ms) AS ended, count(*) AS turns, sum(coalesce(cost_pico, 0)) AS cost,
               sum(cost_pico IS NULL) AS unpriced, sum(input_tokens) AS input, sum(output_tokens) AS output, sum(status) AS errors,
               sum(end_ms - start_ms) AS latency, min(user_id) AS user_id
        {LlmSessions}
        """;

    public async Task RunAsync()
    {
        var dbPath = Path.Combine(dataDirectory, "zespan.db");
        var database = new SqliteDatabase(dbPath);
        await using var sql = await database.OpenAsync();
        long Scalar(string text) => (long)new SqliteCommand(text, sql).ExecuteScalar()!;
        string Text(string text) => (string)new SqliteCommand(text, sql).ExecuteScalar()!;

        var spanCount = Scalar("SELECT count(*) FROM spans");
        var llmCount = Scalar("SELECT count(*) FROM spans WHERE kind = 1");
        var sessionCount = Scalar("SELECT count(*) FROM sessions");
        var endMs = Scalar("SELECT max(started_ms) FROM sessions") + 3_600_000;
        var from30 = Format(endMs - 30L * 86_400_000);
        var from7 = Format(endMs - 7L * 86_400_000);
        var to = Format(endMs);
        var heavyUser = Text("SELECT user_id FROM sessions WHERE project_id = 1 GROUP BY user_id ORDER BY count(*) DESC LIMIT 1");
        var longSession = Text("SELECT session_id FROM sessions WHERE project_id = 1 ORDER BY turns DESC, session_id LIMIT 1");
        var idFragment = longSession[^6..]; // a few sessions' ids contain it, no name does
        var longTurns = Scalar($"SELECT turns FROM sessions WHERE project_id = 1 AND session_id = '{longSession}'");
        // The trace with the most spans (its detail reads them all), and the model on the fewest calls (the traces list
        // filtered by it walks the most traces per match).
        var bigTrace = Text("SELECT trace_id FROM traces WHERE project_id = 1 ORDER BY span_count DESC, trace_id LIMIT 1");
        var bigTraceSpans = Scalar($"SELECT span_count FROM traces WHERE project_id = 1 AND trace_id = '{bigTrace}'");
        var rareModel = Text("SELECT model FROM model_usage_hourly WHERE project_id = 1 AND model <> '' GROUP BY model ORDER BY sum(calls), model LIMIT 1");
        var commonModel = Text("SELECT model FROM model_usage_hourly WHERE project_id = 1 AND model <> '' GROUP BY model ORDER BY sum(calls) DESC, model LIMIT 1");
        using (var deep = new SqliteCommand("SELECT cost_pico, session_id FROM sessions WHERE project_id = 1 ORDER BY cost_pico DESC, session_id DESC LIMIT 1 OFFSET $o", sql))
        {
            deep.Parameters.AddWithValue("$o", sessionCount / 2);
            using var r = deep.ExecuteReader();
            r.Read();
            _deepCursor = new SessionCursor(SessionSort.CostUsd, true, r.GetInt64(0), r.GetString(1)).Encode();
            (_deepCost, _deepId) = (r.GetInt64(0), r.GetString(1));
        }
        Console.WriteLine($"Data: {spanCount:N0} spans ({llmCount:N0} LLM) in {sessionCount:N0} sessions; longest session {longSession} has {longTurns:N0} turns; runs {runs}");

        var fromMs = endMs - 30L * 86_400_000;
        var from7Ms = endMs - 7L * 86_400_000;
        var cases = new List<Case>
        {
            new("List, first page by cost", "api/v1/sessions?sort=costUsd&limit=50",
                $"{RawGroup} GROUP BY session_id ORDER BY cost DESC, session_id DESC LIMIT 51", CountRaw: $"SELECT count(DISTINCT session_id) {LlmSessions}"),
            new("List, status=error & minTurns=5, by cost", "api/v1/sessions?sort=costUsd&status=error&minTurns=5",
                $"{RawGroup} GROUP BY session_id HAVING errors > 0 AND turns >= 5 ORDER BY cost DESC, session_id DESC LIMIT 51", CountRaw: $"SELECT count(*) FROM ({RawGroup} GROUP BY session_id HAVING errors > 0 AND turns >= 5)"),
            new("List, last 7 days & status=ok & minTurns=20, by turns", $"api/v1/sessions?sort=turns&from={from7}&to={to}&status=ok&minTurns=20",
                $"{RawGroup} GROUP BY session_id HAVING started >= {from7Ms} AND started < {endMs} AND errors = 0 AND turns >= 20 ORDER BY turns DESC, session_id DESC LIMIT 51",
                CountRaw: $"SELECT count(*) FROM ({RawGroup} GROUP BY session_id HAVING started >= {from7Ms} AND started < {endMs} AND errors = 0 AND turns >= 20)"),
            new("List, 45 minutes & status=error, by startedAt", $"api/v1/sessions?from={Format(endMs - 5 * 3_600_000 - 30 * 60_000)}&to={Format(endMs - 5 * 3_600_000 + 15 * 60_000)}&status=error",
                $"{RawGroup} GROUP BY session_id HAVING started >= {endMs - 5 * 3_600_000 - 30 * 60_000} AND started < {endMs - 5 * 3_600_000 + 15 * 60_000} AND errors > 0 ORDER BY started DESC, session_id DESC LIMIT 51"),
            new("List, userId & 30 days & status=error, by startedAt", $"api/v1/sessions?userId={heavyUser}&from={from30}&to={to}&status=error",
                $"{RawGroup} AND user_id = '{heavyUser}' GROUP BY session_id HAVING started >= {fromMs} AND errors > 0 ORDER BY started DESC, session_id DESC LIMIT 51",
                CountRaw: $"SELECT count(*) FROM ({RawGroup} AND user_id = '{heavyUser}' GROUP BY session_id HAVING started >= {fromMs} AND errors > 0)"),
            new("List, all filters, by durationMs", $"api/v1/sessions?sort=durationMs&userId={heavyUser}&from={from30}&to={to}&status=ok&minTurns=2",
                $"{RawGroup} AND user_id = '{heavyUser}' GROUP BY session_id HAVING started >= {fromMs} AND errors = 0 AND turns >= 2 ORDER BY ended - started DESC, session_id DESC LIMIT 51",
                CountRaw: $"SELECT count(*) FROM ({RawGroup} AND user_id = '{heavyUser}' GROUP BY session_id HAVING started >= {fromMs} AND errors = 0 AND turns >= 2)"),
            new("List, deep page via cursor (middle of the list)", "api/v1/sessions?sort=costUsd&limit=50&cursor=" + Uri.EscapeDataString(_deepCursor!),
                $"{RawGroup} GROUP BY session_id HAVING (cost, session_id) < ({_deepCost}, '{_deepId}') ORDER BY cost DESC, session_id DESC LIMIT 51", CountRaw: $"SELECT count(DISTINCT session_id) {LlmSessions}"),
            new($"Session detail ({longTurns:N0} turns)", $"api/v1/sessions/{longSession}",
                $"{RawGroup} AND session_id = '{longSession}' GROUP BY session_id", Detail: longSession),
            new("Stats over 30 days", $"api/v1/sessions/stats?from={from30}&to={to}",
                $"SELECT cost, turns, unpriced, errors FROM ({RawGroup} GROUP BY session_id HAVING started >= {fromMs} AND started < {endMs})", ReadAll: true),
            new("Breakdown by metadata.feature over 30 days", $"api/v1/sessions/breakdown?by=metadata.feature&from={from30}&to={to}",
                $"SELECT json_extract(metadata, '$.feature') AS f, count(DISTINCT session_id), sum(coalesce(cost_pico, 0)), count(*), sum(input_tokens + output_tokens) {LlmSessions} AND start_ms >= {fromMs} AND start_ms < {endMs} GROUP BY f ORDER BY 3 DESC LIMIT 50"),
            new("Breakdown by tag over 30 days", $"api/v1/sessions/breakdown?by=tag&from={from30}&to={to}",
                $"SELECT j.value AS tag, count(DISTINCT session_id), sum(coalesce(cost_pico, 0)), count(*), sum(input_tokens + output_tokens) FROM spans, json_each(spans.tags) j WHERE project_id = 1 AND kind = 1 AND session_id IS NOT NULL AND start_ms >= {fromMs} AND start_ms < {endMs} GROUP BY tag ORDER BY 3 DESC LIMIT 50"),
            new("Breakdown by userId over 30 days", $"api/v1/sessions/breakdown?by=userId&from={from30}&to={to}",
                $"SELECT user_id, count(DISTINCT session_id), sum(coalesce(cost_pico, 0)), count(*), sum(input_tokens + output_tokens) {LlmSessions} AND start_ms >= {fromMs} AND start_ms < {endMs} GROUP BY user_id ORDER BY 3 DESC LIMIT 50"),
            new("Cost by model over 30 days", $"api/v1/costs/models?from={from30}&to={to}",
                $"SELECT model, count(*), sum(coalesce(cost_pico, 0)) FROM spans WHERE project_id = 1 AND kind = 1 AND start_ms >= {fromMs} AND start_ms < {endMs} GROUP BY model"),
            new("Cost over time, hourly over 30 days", $"api/v1/costs/timeseries?bucket=hour&from={from30}&to={to}",
                $"SELECT start_ms / 3600000, count(*), sum(coalesce(cost_pico, 0)), sum(input_tokens + output_tokens) FROM spans WHERE project_id = 1 AND kind = 1 AND start_ms >= {fromMs} AND start_ms < {endMs} GROUP BY 1"),
            new("Cost over time, daily over 30 days", $"api/v1/costs/timeseries?bucket=day&from={from30}&to={to}",
                $"SELECT start_ms / 86400000, count(*), sum(coalesce(cost_pico, 0)), sum(input_tokens + output_tokens) FROM spans WHERE project_id = 1 AND kind = 1 AND start_ms >= {fromMs} AND start_ms < {endMs} GROUP BY 1"),
            // Issue 18: active time, idle gaps, names and q= (no raw side: the raw spans carry no active time or name).
            new("List, first page by activeDurationMs", "api/v1/sessions?sort=activeDurationMs&limit=50", null),
            new("List, first page by idleGapCount", "api/v1/sessions?sort=idleGapCount&limit=50", null),
            new("List, minActiveMs=300000, by startedAt", "api/v1/sessions?minActiveMs=300000", null),
            new("List, maxActiveMs=60000, by costUsd", "api/v1/sessions?maxActiveMs=60000&sort=costUsd", null),
            new("List, minActiveMs=300000 & status=error, by startedAt", "api/v1/sessions?minActiveMs=300000&status=error", null),
            new("List, minActiveMs=300000 & last 7 days, by activeDurationMs", $"api/v1/sessions?minActiveMs=300000&from={from7}&to={to}&sort=activeDurationMs", null),
            new("List, q= a name word (refund), by startedAt", "api/v1/sessions?q=refund", null),
            new("List, q= a rare word (#12345), by startedAt", "api/v1/sessions?q=%2312345", null),
            new($"List, q= an id fragment ({idFragment})", $"api/v1/sessions?q={idFragment}", null),
            new("List, q= an id fragment & status=error, by costUsd", $"api/v1/sessions?sort=costUsd&status=error&q={idFragment[..4]}", null),
            new("List, q=refund & status=error, by costUsd", "api/v1/sessions?sort=costUsd&status=error&q=refund", null),
            new("List, q=refund, by activeDurationMs", "api/v1/sessions?sort=activeDurationMs&q=refund", null),
            new("Sessions overview over 30 days", $"api/v1/sessions/overview?from={from30}&to={to}", null),
            new("Sessions overview, last 7 days", $"api/v1/sessions/overview?from={from7}&to={to}", null),
            new("Sessions overview, q=refund", "api/v1/sessions/overview?q=refund", null),
            new("/sessions HTML page (logged in)", "sessions", null, Ui: true),
            new("/sessions HTML page, q=refund (logged in)", "sessions?q=refund", null, Ui: true),
            new("Traces list, first page (API)", "api/v1/traces?limit=50", null),
            new($"Traces list, model={rareModel} (the model on the fewest calls)", $"api/v1/traces?limit=50&model={Uri.EscapeDataString(rareModel)}", null),
            new($"Traces list, model={commonModel} (the model on the most calls)", $"api/v1/traces?limit=50&model={Uri.EscapeDataString(commonModel)}", null),
            new($"Traces list, model={commonModel} & status=error", $"api/v1/traces?limit=50&status=error&model={Uri.EscapeDataString(commonModel)}", null),
            new("Traces list, status=error", "api/v1/traces?limit=50&status=error", null),
            new("Traces list, last 7 days", $"api/v1/traces?limit=50&from={from7}&to={to}", null),
            new("Traces list, last 30 days & status=ok", $"api/v1/traces?limit=50&from={from30}&to={to}&status=ok", null),
            new($"Traces list, userId (the user with the most sessions)", $"api/v1/traces?limit=50&userId={Uri.EscapeDataString(heavyUser)}", null),
            new($"Traces list, sessionId (the longest session)", $"api/v1/traces?limit=50&sessionId={Uri.EscapeDataString(longSession)}", null),
            new($"Trace detail ({bigTraceSpans:N0} spans, the largest trace)", $"api/v1/traces/{Uri.EscapeDataString(bigTrace)}", null),
            new("/traces HTML page (logged in)", "traces", null, Ui: true),
        };

        if (issue18Only)
            cases = cases.Where(c => c.RawSql is null && c.Path.StartsWith("api/v1/sessions", StringComparison.Ordinal) || c.Path.StartsWith("sessions", StringComparison.Ordinal)).ToList();
        if (rawOnly)
        {
            // The raw side alone (it reads the spans, which no migration changes), e.g. on a copy while the server side runs elsewhere.
            Console.WriteLine();
            Console.WriteLine($"| Query | Raw-span GROUP BY, median of {runs} |");
            Console.WriteLine("|---|---:|");
            foreach (var c in cases.Where(c => c.RawSql is not null))
            {
                var raw = await Stats.TimeAsync(() => { RunRaw(sql, c); return Task.CompletedTask; }, runs, warmups: 1);
                Console.WriteLine($"| {c.Name} | {raw.MedianMs:N1} ms (min {raw.MinMs:N1}, max {raw.MaxMs:N1}) |");
            }
            return;
        }

        await UiSession.EnsureUserAsync(dbPath);
        await using var server = await ServerProcess.StartAsync(dataDirectory, apiKey);
        using var ui = await UiSession.LogInAsync(server.Url);
        using var client = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

        Console.WriteLine();
        Console.WriteLine($"| Query | Zespan over HTTP, median of {runs} | server CPU per request | Raw-span GROUP BY, median of {runs} | Raw / Zespan | load average |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var c in cases)
        {
            var http = c.Ui ? ui : client;
            var probe = await http.GetAsync(c.Path);
            if (c.Ui && (await probe.Content.ReadAsStringAsync()).Contains("action=\"/account/login\"", StringComparison.Ordinal))
                throw new InvalidOperationException($"GET /{c.Path} answered the login form, not the page.");
            if (!probe.IsSuccessStatusCode)
            {
                Console.WriteLine($"| {c.Name} | pending: GET /{c.Path.Split('?')[0]} answered {(int)probe.StatusCode} | | |");
                continue;
            }
            var cpuBefore = server.CpuTime();
            var api = await Stats.TimeAsync(async () =>
            {
                using var response = await http.GetAsync(c.Path);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            }, runs);
            // The server's CPU over the warm-ups and runs, per request (a mean, which the median wall time is not).
            var cpuPerRequest = (server.CpuTime() - cpuBefore).TotalMilliseconds / (runs + 2);
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var rawCell = "n/a";
            var ratioCell = "";
            if (c.RawSql is not null && withRaw)
            {
                var raw = await Stats.TimeAsync(() => { RunRaw(sql, c); return Task.CompletedTask; }, runs, warmups: 1);
                rawCell = $"{raw.MedianMs:N1} ms";
                ratioCell = $"{raw.MedianMs / api.MedianMs:N1}×";
            }
            Console.WriteLine($"| {c.Name} | {api.MedianMs:N1} ms (min {api.MinMs:N1}, max {api.MaxMs:N1}) | {cpuPerRequest:N1} ms | {rawCell} | {ratioCell} | {load} |");
        }

        var (rss, peak) = server.Memory();
        var files = new[] { dbPath, dbPath + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        Console.WriteLine();
        Console.WriteLine($"| Server resident memory after the queries | {Stats.Mb(rss)} (peak {Stats.Mb(peak)}) |");
        Console.WriteLine($"| Database size (db + wal) | {files / 1024.0 / 1024 / 1024:N2} GB |");
        Console.WriteLine($"| Bytes per span (all spans) | {(double)files / spanCount:N0} |");
        Console.WriteLine($"| Bytes per LLM span | {(double)files / llmCount:N0} |");
    }

    private string? _deepCursor;
    private long _deepCost;
    private string? _deepId;

    private sealed record Case(string Name, string Path, string? RawSql, string? CountRaw = null, string? Detail = null, bool ReadAll = false, bool Ui = false);

    /// <summary>Runs the raw-span equivalent and reads every row, as the API would have to.</summary>
    private static void RunRaw(SqliteConnection connection, Case c)
    {
        using (var command = new SqliteCommand(c.RawSql, connection))
        using (var reader = command.ExecuteReader())
        {
            var costs = new List<long>();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                    _ = reader.GetValue(i);
                if (c.ReadAll)
                    costs.Add(reader.GetInt64(0));
            }
            costs.Sort(); // stats need the median and p95 of session costs
        }
        if (c.CountRaw is not null)
        {
            using var count = new SqliteCommand(c.CountRaw, connection);
            count.ExecuteScalar();
        }
        if (c.Detail is not null)
        {
            using var timeline = new SqliteCommand(
                "SELECT sp.*, pl.input, pl.output FROM spans sp LEFT JOIN span_payloads pl ON pl.span_row_id = sp.id WHERE sp.project_id = 1 AND sp.session_id = $s AND sp.kind = 1 ORDER BY sp.start_ms, sp.span_id", connection);
            timeline.Parameters.AddWithValue("$s", c.Detail);
            using var reader = timeline.ExecuteReader();
            while (reader.Read())
                for (var i = 0; i < reader.FieldCount; i++)
                    _ = reader.GetValue(i);
        }
    }

    private static string Format(long ms) => Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
}
