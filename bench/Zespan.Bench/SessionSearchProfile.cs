using System.Diagnostics;
using Zespan.Core.Sessions;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// Where one list request's time goes, per SQL statement: SQLite's profile callback on the pooled connection the list
/// reuses, with the process CPU spent since the previous statement ended (the statement plus the little C# between).
/// A probe for docs/benchmarks.md, not a timing of record.
/// </summary>
internal static class SessionSearchProfile
{
    public static async Task RunAsync(SqliteStorage storage, SessionQuery query, int runs)
    {
        var rows = new List<(int Run, string Sql, double WallMs, double CpuMs)>();
        var run = 0;
        double last = 0;
        await using (var hook = await storage.Database.OpenAsync())
        {
            SQLitePCL.raw.sqlite3_profile(hook.Handle, (_, sql, ns) =>
            {
                // FTS5's own statements (on its shadow tables) run inside the caller's: their CPU is counted with it.
                if (sql.Contains("'main'.", StringComparison.Ordinal))
                    return;
                var now = Cpu();
                rows.Add((run, sql, ns / 1e6, now - last));
                last = now;
            }, null);
        }
        for (run = 0; run < runs; run++)
        {
            last = Cpu();
            await storage.Sessions.ListAsync(1, query);
        }
        foreach (var group in rows.Where(r => r.Run >= 2).GroupBy(r => rows.Where(x => x.Run == r.Run).ToList().IndexOf(r)))
        {
            var first = group.First();
            Console.WriteLine($"  #{group.Key}: wall {Median(group.Select(g => g.WallMs)):N1} ms, CPU {Median(group.Select(g => g.CpuMs)):N1} ms  {Flat(first.Sql)}");
        }
    }

    private static string Flat(string sql)
    {
        var flat = string.Join(' ', sql.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length > 600 ? flat[..600] + "…" : flat;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static double Cpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }
}
