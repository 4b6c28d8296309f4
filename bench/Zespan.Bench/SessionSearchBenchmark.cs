using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// The sessions list's issue-18 columns at a million sessions, in-process on a real migrated SQLite file: sorts by active
/// time and idle gaps, the active-time filters and q= through the trigram index (migration 160), beside q= as the LIKE scan
/// it replaced (the same SQL the list ran before). The session rows are inserted directly (every trigger keeps its
/// rollup and the search index as ingestion would), with DataGen's id format and its first user messages as names;
/// the list reads only session rows, so the spans behind them are not generated. Also times the migrations at open,
/// filling the gram index of migration 350 (q= of one or two characters), and building the search index over the
/// loaded rows, as migration 160 does on upgrade.
/// </summary>
public sealed class SessionSearchBenchmark(string folder, int sessions, int runs, string? only = null)
{
    /// <summary>Whether a row is run: every row, or (--only "a,b") those whose name contains one of the pieces.</summary>
    private bool Runs(string name) => only is null || only.Split(',').Any(piece => name.Contains(piece, StringComparison.Ordinal));

    public async Task RunAsync()
    {
        Directory.CreateDirectory(folder);
        var storage = new SqliteStorage(Path.Combine(folder, "zespan.db"), TimeProvider.System);
        var migration = Stopwatch.StartNew();
        var migrationCpu = Cpu();
        await storage.Database.MigrateAsync();
        Console.WriteLine($"Migrations at open: {migration.Elapsed.TotalSeconds:N1} s wall, {(Cpu() - migrationCpu) / 1000:N1} s CPU; load average {Load1()}");
        await using var connection = await storage.Database.OpenAsync();
        if ((long)new SqliteCommand("SELECT count(*) FROM sessions", connection).ExecuteScalar()! < sessions)
            Load(connection);
        // The gram index of q= of one or two characters (migration 350) filled for every pending document, as the server's
        // background indexer does after an upgrade; timed, since that is its cost on a file of this size.
        var grams = Stopwatch.StartNew();
        var gramsCpu = Cpu();
        var indexed = await storage.GramIndexer.IndexAllAsync();
        Console.WriteLine($"Gram index (SessionGramIndexer.IndexAllAsync): {indexed:N0} documents in {grams.Elapsed.TotalSeconds:N1} s wall, {(Cpu() - gramsCpu) / 1000:N1} s CPU; load average {Load1()}");
        new SqliteCommand("PRAGMA wal_checkpoint(TRUNCATE)", connection).ExecuteNonQuery();
        var someId = (string)new SqliteCommand($"SELECT session_id FROM sessions WHERE project_id = 1 LIMIT 1 OFFSET {sessions / 3}", connection).ExecuteScalar()!;
        var fragment = someId[^6..];
        // A user with a session named with the common word (a user has ~5 sessions), for q= beside userId.
        var refundUser = (string)new SqliteCommand("SELECT user_id FROM sessions WHERE project_id = 1 AND name LIKE '%refund%' LIMIT 1 OFFSET 1000", connection).ExecuteScalar()!;
        Console.WriteLine($"{sessions:N0} sessions in {folder}; id fragment {fragment}; load average {Load1()}");

        var cases = new (string Name, SessionQuery Query)[]
        {
            ("by activeDurationMs, first page", new() { Sort = SessionSort.ActiveDurationMs }),
            ("by idleGapCount, first page", new() { Sort = SessionSort.IdleGapCount }),
            ("minActiveMs=300000, by startedAt", new() { Filter = new() { MinActiveMs = 300_000 } }),
            ("maxActiveMs=60000, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { MaxActiveMs = 60_000 } }),
            ("minActiveMs=300000 & status=error, by startedAt", new() { Filter = new() { MinActiveMs = 300_000, Status = SessionStatusFilter.Error } }),
            ("minActiveMs=300000 & last 7 days, by activeDurationMs", new() { Sort = SessionSort.ActiveDurationMs, Filter = new() { MinActiveMs = 300_000, FromMs = Last7Days } }),
            ("q=refund (a common name word, 8 %), by startedAt", new() { Filter = new() { Query = "refund" } }),
            ("q=#12345 (a rare word), by startedAt", new() { Filter = new() { Query = "#12345" } }),
            ($"q={fragment} (an id fragment), by startedAt", new() { Filter = new() { Query = fragment } }),
            ($"q={fragment[..4]} & status=error, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = fragment[..4], Status = SessionStatusFilter.Error } }),
            ("q=refund & status=error, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = "refund", Status = SessionStatusFilter.Error } }),
            ("q=refund, by activeDurationMs", new() { Sort = SessionSort.ActiveDurationMs, Filter = new() { Query = "refund" } }),
            ("q=ab (2 characters: the gram index), by startedAt", new() { Filter = new() { Query = "ab" } }),
            ("q=a (1 character), by startedAt", new() { Filter = new() { Query = "a" } }),
            ("q=ab & status=error, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = "ab", Status = SessionStatusFilter.Error } }),
            ("q=ab & last 7 days, by startedAt", new() { Filter = new() { Query = "ab", FromMs = Last7Days } }),
            ("q=ab & last 7 days, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = "ab", FromMs = Last7Days } }),
            ("q=refund & last 7 days, by startedAt", new() { Filter = new() { Query = "refund", FromMs = Last7Days } }),
            ("q=refund & last 7 days, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = "refund", FromMs = Last7Days } }),
            ("q=refund & minTurns=10, by startedAt", new() { Filter = new() { Query = "refund", MinTurns = 10 } }),
            ("q=refund & last 7 days from 13:00 (a cut first day), by startedAt", new() { Filter = new() { Query = "refund", FromMs = Last7Days + 13 * 3_600_000L } }),
            ("q=refund & last 7 days & status=error, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = "refund", FromMs = Last7Days, Status = SessionStatusFilter.Error } }),
            ("q=refund & last 7 days & minTurns=10, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = "refund", FromMs = Last7Days, MinTurns = 10 } }),
            ("q=refund & userId (a user's ~5 sessions), by startedAt", new() { Filter = new() { Query = "refund", UserId = refundUser } }),
            ("q=refund & minActiveMs=300000, by startedAt", new() { Filter = new() { Query = "refund", MinActiveMs = 300_000 } }),
            ("q=refund & maxTurns=3, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = "refund", MaxTurns = 3 } }),
            // A turns bound against the sort order where no turns walk applies (more than 16 turns; active time).
            ("q=refund & maxTurns=20, by costUsd", new() { Sort = SessionSort.CostUsd, Filter = new() { Query = "refund", MaxTurns = 20 } }),
            ("q=refund & maxTurns=3, by activeDurationMs", new() { Sort = SessionSort.ActiveDurationMs, Filter = new() { Query = "refund", MaxTurns = 3 } }),
        };
        Console.WriteLine("| List (first page + exact totalCount), in-process | median wall ms | min | max | median CPU ms | totalCount |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, query) in cases.Where(c => Runs(c.Name)))
        {
            if (Environment.GetEnvironmentVariable("ZESPAN_PROFILE") is "1")
            {
                Console.WriteLine(name);
                await SessionSearchProfile.RunAsync(storage, query, runs);
            }
            long total = 0;
            var (wall, min, max, cpu) = await TimeAsync(async () => total = (await storage.Sessions.ListAsync(1, query)).TotalCount);
            Console.WriteLine($"| {name} | {wall:N1} | {min:N1} | {max:N1} | {cpu:N1} | {total:N0} |");
        }
        var overviews = new (string Name, SessionFilter Filter)[]
        {
            ("overview, all time", new()),
            ("overview, last 7 days", new() { FromMs = Last7Days }),
            ("overview, last 7 days from 13:00 (the UI's preset: a partial first day)", new() { FromMs = Last7Days + 13 * 3_600_000L }),
            ("overview, q=refund", new() { Query = "refund" }),
        };
        foreach (var (name, filter) in overviews.Where(o => Runs(o.Name)))
        {
            long sessionsSeen = 0;
            var (wall, min, max, cpu) = await TimeAsync(async () => sessionsSeen = (await storage.SessionOverview.OverviewAsync(1, filter)).Days.Sum(d => d.Sessions));
            Console.WriteLine($"| {name} | {wall:N1} | {min:N1} | {max:N1} | {cpu:N1} | {sessionsSeen:N0} |");
        }
        foreach (var text in new[] { "refund", fragment, "ab" }.Where(t => Runs($"q={t} as the LIKE scan")))
        {
            // Before migration 100: COUNT(*) and the first page with the LIKE condition over every session row of the project.
            const string like = "(s.name LIKE $q ESCAPE '\\' OR s.session_id LIKE $q ESCAPE '\\')";
            long total = 0;
            var (wall, min, max, cpu) = await TimeAsync(() =>
            {
                using var count = new SqliteCommand($"SELECT count(*) FROM sessions s WHERE s.project_id = 1 AND {like}", connection);
                count.Parameters.AddWithValue("$q", $"%{text}%");
                total = (long)count.ExecuteScalar()!;
                using var page = new SqliteCommand($"SELECT s.session_id FROM sessions s WHERE s.project_id = 1 AND {like} ORDER BY s.started_ms DESC, s.session_id DESC LIMIT 51", connection);
                page.Parameters.AddWithValue("$q", $"%{text}%");
                using var reader = page.ExecuteReader();
                while (reader.Read()) { }
                return Task.CompletedTask;
            });
            Console.WriteLine($"| q={text} as the LIKE scan (before) | {wall:N1} | {min:N1} | {max:N1} | {cpu:N1} | {total:N0} |");
        }

        if (!Runs("search index build"))
            return;
        // What migration 160 costs on upgrade: the same two statements into a second index of the same definition.
        var clock = Stopwatch.StartNew();
        var cpuBefore = Cpu();
        new SqliteCommand("""
            DROP TABLE IF EXISTS search_probe_docs; DROP TABLE IF EXISTS search_probe;
            BEGIN;
            CREATE TABLE search_probe_docs (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, session_id TEXT NOT NULL, UNIQUE (project_id, session_id));
            CREATE VIRTUAL TABLE search_probe USING fts5(session_id, name, content='', contentless_delete=1, detail='full', tokenize='trigram case_sensitive 1');
            INSERT INTO search_probe_docs (id, project_id, session_id)
            SELECT project_id * 1099511627776 + ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY session_id), project_id, session_id FROM sessions;
            INSERT INTO search_probe (rowid, session_id, name)
            SELECT d.id, lower(s.session_id), lower(s.name) FROM search_probe_docs d JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id;
            COMMIT;
            """, connection) { CommandTimeout = 0 }.ExecuteNonQuery();
        Console.WriteLine($"Building the search index over {sessions:N0} sessions (migration 160's statements): {clock.Elapsed.TotalSeconds:N1} s wall, {(Cpu() - cpuBefore) / 1000:N1} s CPU; load average {Load1()}");
        new SqliteCommand("DROP TABLE search_probe; DROP TABLE search_probe_docs;", connection).ExecuteNonQuery();
    }

    /// <summary>The last 7 days of the generated 30 (they end 2026-11-24).</summary>
    private static readonly long Last7Days = DateTimeOffset.Parse("2026-11-17T00:00:00Z").ToUnixTimeMilliseconds();

    private static string Load1() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static double Cpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }

    /// <summary>Median wall and process CPU ms of the runs after two warm-ups.</summary>
    private async Task<(double Wall, double Min, double Max, double Cpu)> TimeAsync(Func<Task> run)
    {
        var cpu = new List<double>();
        var (wall, min, max) = await Stats.TimeAsync(async () =>
        {
            var before = Cpu();
            await run();
            cpu.Add(Cpu() - before);
        }, runs);
        return (wall, min, max, Stats.Median(cpu.Skip(2)));
    }

    /// <summary>Sessions over 30 days with DataGen's ids and first user messages as names, long-tailed turns, idle gaps.</summary>
    private void Load(SqliteConnection connection)
    {
        var random = new Random(18);
        var clock = Stopwatch.StartNew();
        new SqliteCommand("PRAGMA cache_size = -2000000; PRAGMA synchronous = OFF", connection).ExecuteNonQuery();
        using var transaction = connection.BeginTransaction();
        using var insert = new SqliteCommand("""
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns, cost_pico,
                                  unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms, idle_ms, idle_gaps, last_start_ms, active_ms, name)
            VALUES (1, $id, $user, $start, 'span', $start, $end, $end - $start, $turns, $cost, 0, $in, $in, 2 * $in, $errors, $turns * 1500, $idle, $gaps, $end - 1000, $end - $start - $idle, $name)
            """, connection, transaction);
        var names = new[] { "$id", "$user", "$start", "$end", "$turns", "$cost", "$in", "$errors", "$idle", "$gaps", "$name" };
        var p = names.ToDictionary(n => n, n => insert.Parameters.Add(new SqliteParameter(n, null)));
        var end = DateTimeOffset.Parse("2026-11-24T00:00:00Z").ToUnixTimeMilliseconds();
        var start = end - 30 * 86_400_000L;
        for (var i = 0; i < sessions; i++)
        {
            var started = start + (end - start) * i / sessions;
            var turns = Math.Min(1000, 1 + (int)(-Math.Log(1 - random.NextDouble()) * 6));
            var gaps = random.NextDouble() < 0.3 ? random.Next(1, 4) : 0;
            var idle = gaps * (300_000L + random.Next(3_600_000));
            var message = Zespan.Core.Sessions.SessionNames.Shorten(string.Format(Zespan.DataGen.TrafficModel.UserMessages[random.Next(Zespan.DataGen.TrafficModel.UserMessages.Length)], random.Next(10_000, 99_999)))!;
            p["$id"].Value = $"sess_0007_{i:x8}";
            p["$user"].Value = $"user-{random.Next(200_000)}";
            p["$start"].Value = started;
            p["$end"].Value = started + idle + turns * random.Next(5_000, 120_000);
            p["$turns"].Value = turns;
            p["$cost"].Value = turns * 3_250_000_000L;
            p["$in"].Value = turns * 900L;
            p["$errors"].Value = random.NextDouble() < 0.08 ? 1 : 0;
            p["$idle"].Value = idle;
            p["$gaps"].Value = gaps;
            p["$name"].Value = message;
            insert.ExecuteNonQuery();
        }
        // Rows inserted directly: the writer's rollups (migrations 180-183) are recomputed from them.
        Zespan.Storage.Sqlite.SessionRollupBackfill.Run(connection, transaction);
        transaction.Commit();
        Console.WriteLine($"Loaded {sessions:N0} sessions in {clock.Elapsed.TotalSeconds:N0} s");
    }
}
