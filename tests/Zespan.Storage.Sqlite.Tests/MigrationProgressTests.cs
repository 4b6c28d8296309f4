using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Upgrading a large file runs migrations for minutes before the server listens (docs/deploy.md, "Upgrading"): the log
/// says which migration of how many is running, and a statement still running says so while it runs.
/// </summary>
public sealed class MigrationProgressTests
{
    [Fact]
    public async Task Migrating_SaysWhichMigrationOfHowMany_AndThatALongStatementIsStillRunning()
    {
        var folder = Path.Combine(Path.GetTempPath(), "zespan-sqlite-tests", Guid.NewGuid().ToString("N"));
        var database = new SqliteDatabase(Path.Combine(folder, "zespan.db"));
        try
        {
            // A new file: one line before and one after at Information (the first start's login and key stay on
            // screen), each migration at Debug.
            var fresh = new LinesLogger();
            await database.MigrateAsync(fresh, TimeSpan.FromHours(1));
            var applied = fresh.Lines.Where(l => l.Text.StartsWith("Migration ", StringComparison.Ordinal)).ToList();
            Assert.True(applied.Count > 30, $"one line per migration; got {applied.Count}");
            Assert.All(applied, l => Assert.Equal(LogLevel.Debug, l.Level));
            var said = fresh.Lines.Where(l => l.Level >= LogLevel.Information).Select(l => l.Text).ToList();
            Assert.Equal(2, said.Count);
            Assert.StartsWith("Creating a new database at ", said[0]);
            Assert.EndsWith($"({applied.Count} migrations).", said[0]);
            Assert.StartsWith("Created the database in ", said[1]);
            for (var i = 0; i < applied.Count; i++)
                Assert.StartsWith($"Migration {i + 1} of {applied.Count} (", applied[i].Text);
            Assert.Contains("(001_initial.sql)", applied[0].Text);

            // Nothing pending: nothing said.
            var again = new LinesLogger();
            await database.MigrateAsync(again, TimeSpan.Zero);
            Assert.Empty(again.Lines);

            // Undo migration 220 on a file with enough traces that its index build runs past SQLite's progress interval,
            // and apply it again with a heartbeat at every interval: the build is reported while it runs, and its
            // backfill counts exactly the traces with an error.
            await using (var connection = await database.OpenAsync())
            {
                await Execute(connection, """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49999)
                    INSERT INTO traces (project_id, trace_id, started_ms, ended_ms, span_count, llm_calls, cost_pico, unpriced_calls, total_tokens, error_count)
                    SELECT 1 + i % 2, printf('t%05d', i), i, i + 1, 1, 1, 0, 0, 0, i % 7 = 0 FROM n;
                    DROP INDEX traces_with_errors; DROP TABLE project_error_trace_counts;
                    DELETE FROM schema_migrations WHERE version = 220;
                    """);
            }
            var upgrade = new LinesLogger();
            await database.MigrateAsync(upgrade, TimeSpan.Zero);
            // An upgrade: every line at Information.
            Assert.All(upgrade.Lines, l => Assert.Equal(LogLevel.Information, l.Level));
            Assert.StartsWith("Applying 1 migration(s) to ", upgrade.Lines[0].Text);
            Assert.Contains(upgrade.Lines, l => l.Text.StartsWith("Still applying migration 1 of 1 (220_error_trace_counts.sql), statement 2 of 3:", StringComparison.Ordinal));
            Assert.StartsWith("Migration 1 of 1 (220_error_trace_counts.sql) applied in ", upgrade.Lines[^1].Text);
            await using (var connection = await database.OpenAsync())
            {
                await using var counts = connection.CreateCommand();
                counts.CommandText = "SELECT group_concat(project_id || ':' || traces, ' ') FROM (SELECT * FROM project_error_trace_counts ORDER BY project_id)";
                // Of t00000..t49999, i % 7 = 0: 7,143 traces, 3,572 of them even (project 1), 3,571 odd (project 2).
                Assert.Equal("1:3572 2:3571", (string)(await counts.ExecuteScalarAsync())!);
            }
        }
        finally
        {
            await using (var connection = await database.OpenAsync())
                SqliteConnection.ClearPool(connection);
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless */ }
        }
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Keeps each formatted log line and its level, in order.</summary>
    private sealed class LinesLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
