using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// A base folder as a long-running server leaves it. DataGen writes through the writer alone, so its file holds every
/// session as pending work for the server's background tasks: the one- and two-character search index
/// (session_grams_pending), the search facts (session_search_facts_pending) and the guard's queue (guard_pending) —
/// 57,500 sessions each on the 1 M-span base. A server started on a copy works through that backlog while the benchmark
/// posts, so its CPU per span and throughput on the base counted a minute of catching up that a running server has
/// long done. Settling runs a server on the base itself, once, until those queues are empty; its copies then start
/// with nothing pending.
/// </summary>
public static class SettledBase
{
    private static readonly string[] Queues = ["session_grams_pending", "session_search_facts_pending", "guard_pending"];

    public static async Task EnsureAsync(string baseFolder, string apiKey)
    {
        var pending = Pending(baseFolder);
        if (pending == 0)
            return;
        Console.WriteLine($"Settling {baseFolder}: {pending:N0} queued entries of background work; a server runs on it until they are done.");
        var clock = Stopwatch.StartNew();
        await using (var server = await ServerProcess.StartAsync(baseFolder, apiKey))
        {
            while ((pending = Pending(baseFolder)) > 0)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(30))
                    throw new TimeoutException($"{pending:N0} entries still queued in {baseFolder} after 30 minutes.");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
        // The server's last commits stay in the WAL; copies take both files, but a checkpoint keeps the copy small.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(baseFolder, "zespan.db")}"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }
        Console.WriteLine($"Settled in {clock.Elapsed.TotalSeconds:N0} s.");
    }

    private static long Pending(string baseFolder)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(baseFolder, "zespan.db")};Mode=ReadOnly");
        connection.Open();
        using var tables = connection.CreateCommand();
        tables.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var present = new HashSet<string>();
        using (var reader = tables.ExecuteReader())
        {
            while (reader.Read())
                present.Add(reader.GetString(0));
        }
        long total = 0;
        foreach (var queue in Queues.Where(present.Contains))
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {queue}";
            total += (long)count.ExecuteScalar()!;
        }
        return total;
    }
}
