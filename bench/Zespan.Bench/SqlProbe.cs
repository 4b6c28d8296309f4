using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>A probe: each statement of a file (separated by lines of ---), its query plan and median CPU over runs.</summary>
internal static class SqlProbe
{
    public static async Task RunAsync(string folder, string file, int runs, string[] binds)
    {
        var storage = new SqliteStorage(Path.Combine(folder, "zespan.db"), TimeProvider.System);
        await using var connection = await storage.Database.OpenAsync();
        var values = binds.Select(b => b.Split('=', 2)).ToDictionary(b => b[0], b => (object)(long.TryParse(b[1], out var n) ? n : b[1]));
        foreach (var sql in File.ReadAllText(file).Split("\n---\n").Where(s => s.Trim().Length > 0))
        {
            SqliteCommand Command(string text)
            {
                var command = new SqliteCommand(text, connection);
                foreach (Match m in Regex.Matches(text, @"\$\w+"))
                    if (!command.Parameters.Contains(m.Value))
                        command.Parameters.AddWithValue(m.Value, values[m.Value]);
                return command;
            }
            Console.WriteLine(sql.Trim());
            using (var plan = Command("EXPLAIN QUERY PLAN " + sql).ExecuteReader())
                while (plan.Read())
                    Console.WriteLine($"    {plan.GetInt32(0)}/{plan.GetInt32(1)} {plan.GetString(3)}");
            var cpu = new List<double>();
            string first = "";
            long rows = 0;
            for (var i = 0; i < runs; i++)
            {
                var before = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
                using var command = Command(sql);
                using var reader = command.ExecuteReader();
                rows = 0;
                while (reader.Read())
                {
                    if (rows++ == 0)
                        first = string.Join(",", Enumerable.Range(0, reader.FieldCount).Select(reader.GetValue));
                }
                cpu.Add(Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - before);
            }
            cpu.Sort();
            Console.WriteLine($"  => CPU median {cpu[cpu.Count / 2]:N1} ms (min {cpu[0]:N1}), {rows} rows, first [{first}]; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}\n");
        }
    }
}
