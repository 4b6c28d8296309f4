using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// What the span writer's SQL costs, for <c>ingest-stages --profile</c>: each statement's wall time (SQLite's own
/// profile callback on the writer's connection, summed by statement text), and which tables and indexes the pages of
/// the last commits belong to (the WAL's frames, mapped to their b-tree by the <c>dbstat</c> table). Why the pages: a
/// commit writes every page its transaction changed, so a table that many transactions touch in many places costs its
/// pages again at every commit, whatever the transaction's size.
/// </summary>
internal sealed partial class WriterProfile
{
    private readonly Dictionary<string, (long Nanoseconds, int Runs)> _statements = [];

    /// <summary>Starts summing the statements of the connection (the writer's, opened by the caller).</summary>
    public void Watch(SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_profile(connection.Handle, (object _, string sql, long nanoseconds) =>
        {
            var key = Whitespace().Replace(sql, " ");
            key = key.Length > 110 ? key[..110] : key;
            _statements[key] = _statements.TryGetValue(key, out var sum) ? (sum.Nanoseconds + nanoseconds, sum.Runs + 1) : (nanoseconds, 1);
        }, null);

    /// <summary>Prints the statements that took the most time, in µs of wall time per span.</summary>
    public void PrintStatements(int spans, int top = 25)
    {
        Console.WriteLine($"  statements: {_statements.Values.Sum(v => v.Nanoseconds) / 1e3 / spans:N1} µs per span in all (wall time, SQLite's profile callback)");
        foreach (var (sql, (nanoseconds, runs)) in _statements.OrderByDescending(s => s.Value.Nanoseconds).Take(top))
            Console.WriteLine($"    {nanoseconds / 1e3 / spans,6:N2} µs/span {runs,7:N0} runs  {sql}");
        _statements.Clear();
    }

    /// <summary>
    /// Prints, for each transaction still in the WAL file of the database (those since the WAL last restarted), its
    /// frames by table or index. Call it after the writes and before anything else writes.
    /// </summary>
    public static void PrintWalPages(string databaseFile)
    {
        var wal = File.ReadAllBytes(databaseFile + "-wal");
        if (wal.Length < 32)
        {
            Console.WriteLine("  WAL pages: the WAL is empty");
            return;
        }
        var pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(8));
        var salt = wal.AsSpan(16, 8).ToArray();
        // e_sqlite3 is built without the dbstat table; the sqlite3 shell (Debian's sqlite3 package) has it.
        var owners = new Dictionary<long, string>();
        System.Diagnostics.Process shell;
        try
        {
            shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sqlite3", ["-readonly", databaseFile, "SELECT pageno || '|' || name FROM dbstat"])
            {
                RedirectStandardOutput = true,
            })!;
        }
        catch (System.ComponentModel.Win32Exception missing)
        {
            throw new InvalidOperationException("--profile needs the sqlite3 shell (apt-get install sqlite3) to map pages to tables.", missing);
        }
        while (shell.StandardOutput.ReadLine() is { } line)
        {
            var bar = line.IndexOf('|');
            owners[long.Parse(line[..bar])] = line[(bar + 1)..];
        }
        shell.WaitForExit();
        var transaction = new List<long>();
        for (var offset = 32; offset + 24 + pageSize <= wal.Length; offset += 24 + pageSize)
        {
            var header = wal.AsSpan(offset, 24);
            if (!header[8..16].SequenceEqual(salt))
                break; // frames of an earlier generation of the WAL, overwritten in part
            transaction.Add(BinaryPrimitives.ReadUInt32BigEndian(header));
            if (BinaryPrimitives.ReadUInt32BigEndian(header[4..]) == 0)
                continue; // not a commit frame
            Console.WriteLine($"  WAL pages of one commit: {transaction.Count:N0}, by table or index:");
            foreach (var group in transaction.GroupBy(page => owners.GetValueOrDefault(page, "(freed since)")).OrderByDescending(g => g.Count()).Take(20))
                Console.WriteLine($"    {group.Count(),6:N0}  {group.Key}");
            transaction.Clear();
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
