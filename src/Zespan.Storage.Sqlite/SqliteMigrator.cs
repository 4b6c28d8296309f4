using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Applies the numbered Migrations/*.sql files embedded in this assembly, each once, each in its own transaction, and
/// says how far it is: on a large file a migration that builds an index or backfills a rollup runs for minutes while the
/// server is not yet listening (docs/deploy.md, "Upgrading"), so whoever waits sees which migration of how many is
/// running, which statement of it, and for how long.
/// </summary>
internal static class SqliteMigrator
{
    private const string ResourcePrefix = "Zespan.Storage.Sqlite.Migrations.";

    /// <summary>How often a statement still running says so: often enough to show it is alive, rare enough to read.</summary>
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(10);

    public static async Task ApplyAsync(SqliteConnection connection, ILogger logger, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        await Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL);", cancellationToken);
        var applied = new HashSet<int>();
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = "SELECT version FROM schema_migrations";
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                applied.Add(reader.GetInt32(0));
        }

        var pending = Migrations().Where(m => !applied.Contains(m.Version)).ToList();
        if (pending.Count == 0)
            return;
        // A new file takes under a second to create, and its first start prints the login and API key just after:
        // one line for the creation keeps them on screen. Progress per migration is for upgrading a file with data.
        var creating = applied.Count == 0;
        var progressLevel = creating ? LogLevel.Debug : LogLevel.Information;
        if (creating)
            logger.LogInformation("Creating a new database at {File} ({Count} migrations).", connection.DataSource, pending.Count);
        else
            logger.LogInformation("Applying {Count} migration(s) to {File}: {First} to {Last}; the server starts listening when they are done.",
                pending.Count, connection.DataSource, pending[0].Name, pending[^1].Name);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < pending.Count; i++)
        {
            var (version, name) = pending[i];
            var statements = Statements(await ReadResource(name));
            var clock = Stopwatch.StartNew();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            for (var s = 0; s < statements.Count; s++)
            {
                using var watch = new Heartbeat(connection, logger, heartbeat, $"migration {i + 1} of {pending.Count} ({name}), statement {s + 1} of {statements.Count}");
                await Execute(connection, transaction, statements[s], cancellationToken);
            }
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($v, $n, $t)";
            record.Parameters.AddWithValue("$v", version);
            record.Parameters.AddWithValue("$n", name);
            record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await record.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            logger.Log(progressLevel, "Migration {Index} of {Count} ({Name}) applied in {Seconds:N1} s ({Elapsed:N1} s so far).",
                i + 1, pending.Count, name, clock.Elapsed.TotalSeconds, total.Elapsed.TotalSeconds);
        }
        if (creating)
            logger.LogInformation("Created the database in {Seconds:N1} s.", total.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The migration's statements, each whole (a trigger's body holds semicolons): the text is cut at each semicolon
    /// where SQLite itself says the statement so far is complete.
    /// </summary>
    internal static List<string> Statements(string sql)
    {
        var statements = new List<string>();
        var start = 0;
        for (var end = sql.IndexOf(';'); end >= 0; end = sql.IndexOf(';', end + 1))
        {
            var candidate = sql[start..(end + 1)];
            if (raw.sqlite3_complete(candidate) == 0)
                continue;
            statements.Add(candidate);
            start = end + 1;
        }
        if (sql[start..].Trim().Length > 0 && !IsOnlyComments(sql[start..]))
            statements.Add(sql[start..]);
        return statements;
    }

    private static bool IsOnlyComments(string tail) =>
        tail.Split('\n').All(line => line.Trim().Length == 0 || line.TrimStart().StartsWith("--", StringComparison.Ordinal));

    private static IEnumerable<(int Version, string Name)> Migrations() =>
        typeof(SqliteMigrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Select(n => (Version: int.Parse(n[..n.IndexOf('_')]), Name: n))
            .OrderBy(m => m.Version);

    private static async Task<string> ReadResource(string name)
    {
        await using var stream = typeof(SqliteMigrator).Assembly.GetManifestResourceStream(ResourcePrefix + name)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private static async Task Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// While one statement runs, SQLite's progress handler (called every few thousand VM steps, on the migrating thread)
    /// logs "still running" once per interval, with the statement's first line, so a long index build is seen alive.
    /// </summary>
    private sealed class Heartbeat : IDisposable
    {
        private readonly SqliteConnection _connection;

        public Heartbeat(SqliteConnection connection, ILogger logger, TimeSpan interval, string what)
        {
            _connection = connection;
            var clock = Stopwatch.StartNew();
            var next = interval;
            raw.sqlite3_progress_handler(connection.Handle, 100_000, _ =>
            {
                if (clock.Elapsed >= next)
                {
                    logger.LogInformation("Still applying {What}: {Seconds:N0} s on this statement.", what, clock.Elapsed.TotalSeconds);
                    next = clock.Elapsed + interval;
                }
                return 0; // 0 = carry on
            }, null);
        }

        public void Dispose() => raw.sqlite3_progress_handler(_connection.Handle, 0, null, null);
    }
}
