using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// active_ms stored by the writer (migration 200) and the active-time bands counted from it (migration 201): the count
/// of an active-time range reads no session row, migrating a file stores every existing row's active time and counts
/// its bands, and the bands' rule in SQL is the one in C#.
/// </summary>
public sealed class StoredActiveTimeTests
{
    [Fact]
    public async Task CountingAnActiveTimeRange_ReadsOnlyTheIndex()
    {
        var (storage, folder) = await SqliteStoreFactory.CreateStorageAsync();
        try
        {
            await using var connection = await storage.Database.OpenAsync();
            // A VIRTUAL column is never covered by an index (SQLite looks each entry's row up): this plan read ~430 k rows at 1 M sessions.
            var plan = connection.QueryPlan("""
                SELECT COUNT(*) FROM sessions s INDEXED BY sessions_by_active
                WHERE s.project_id = 1 AND s.active_ms >= 300000 AND s.active_ms <= 900000 AND s.error_count > 0 AND s.started_ms >= 5 AND s.turns >= 2
                """);
            Assert.Contains("USING COVERING INDEX sessions_by_active", plan);
        }
        finally
        {
            await SqliteStoreFactory.DeleteAsync(storage, folder);
        }
    }

    [Fact]
    public async Task Migration_StoresTheActiveTimeOfExistingRows_AndCountsTheirBands()
    {
        var random = new Random(200);
        await using var store = await SeededStore.CreateAsync(Plan.Free, "p");
        var (storage, project) = (store.Storage, store.Project);
        var spans = new List<ProjectSpan>();
        for (var session = 0; session < 80; session++)
        {
            var at = Day0 + random.NextInt64(2 * Day);
            for (var turn = random.Next(1, 8); turn > 0; turn--)
            {
                var span = Llm($"s{session}-{turn}", $"session-{session}", at, latencyMs: random.NextInt64(200, 200_000), status: random.Next(6) == 0 ? Zespan.Core.Spans.SpanStatus.Error : Zespan.Core.Spans.SpanStatus.Ok);
                spans.Add(new ProjectSpan(project, span));
                at = span.EndMs + (random.Next(3) == 0 ? random.NextInt64(5 * 60_000, 3 * Hour) : random.NextInt64(0, 60_000));
            }
        }
        await storage.SpanWriter.WriteAsync(spans);

        // Put the file back to its state before migration 200: active_ms computed, no bands (and no migration 360,
        // whose trigger reads active_ms, nor 380 and 400 built on it; all are applied again after 200 and 201).
        await using (var connection = await storage.Database.OpenAsync())
        {
            connection.Execute("""
                DROP TRIGGER sessions_search_bands_rename; DROP TRIGGER search_docs_bands_move; DROP TRIGGER search_docs_bands_delete;
                DROP TABLE session_search_bands; DROP TABLE session_search_active_bands; DROP TABLE session_search_band_entries;
                DELETE FROM schema_migrations WHERE version = 400;
                DROP TRIGGER sessions_search_facts_change; DROP TRIGGER search_docs_facts_insert; DROP TRIGGER search_docs_facts_move;
                DROP TRIGGER search_docs_facts_delete; DROP TABLE session_search_facts_pending; DROP TABLE session_search_facts;
                DROP TABLE session_search_filters;
                DELETE FROM schema_migrations WHERE version IN (360, 380);
                DROP TABLE session_active_bands_hourly;
                DROP INDEX sessions_by_active;
                ALTER TABLE sessions DROP COLUMN active_ms;
                ALTER TABLE sessions ADD COLUMN active_ms INTEGER GENERATED ALWAYS AS (duration_ms - idle_ms) VIRTUAL;
                CREATE INDEX sessions_by_active ON sessions(project_id, active_ms, session_id, started_ms, error_count, turns);
                DELETE FROM schema_migrations WHERE version IN (200, 201);
                """);
            SqliteConnection.ClearPool(connection);
        }
        await storage.Database.MigrateAsync();

        await using (var connection = await storage.Database.OpenAsync())
        {
            Assert.Equal(0L, connection.Scalar("SELECT hidden FROM pragma_table_xinfo('sessions') WHERE name = 'active_ms'")); // a plain column
            Assert.Equal(80L, connection.Scalar("SELECT COUNT(*) FROM sessions"));
            Assert.True(connection.Scalar("SELECT COUNT(*) FROM sessions WHERE idle_ms > 0") > 10, "too few sessions with idle gaps to tell");
            Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM sessions WHERE active_ms <> duration_ms - idle_ms"));
            Assert.Equal(connection.IntegerRows(RecomputedBands), connection.IntegerRows(KeptBands));
        }
        // Counted from the migrated bands: on band starts (the rollup alone) and between them (a cut band from the index).
        foreach (var bound in new long[] { 0, 1_000, 60_000, 299_999, 300_000, 777_777, 3_600_000 })
        {
            var filter = new SessionFilter { MinActiveMs = bound };
            await using var connection = await storage.Database.OpenAsync();
            Assert.Equal(connection.Scalar($"SELECT COUNT(*) FROM sessions WHERE active_ms >= {bound}"),
                (await storage.Sessions.ListAsync(project, new SessionQuery { Filter = filter, Limit = 1 })).TotalCount);
        }
    }

    [Fact]
    public async Task TheBandRuleInSql_IsTheOneInCSharp_AndMigration201UsesIt()
    {
        await using (var stream = typeof(SqliteStorage).Assembly.GetManifestResourceStream("Zespan.Storage.Sqlite.Migrations.201_session_active_bands.sql")!)
        using (var reader = new StreamReader(stream))
            Assert.Contains(ActiveTimeBands.Sql("active_ms"), await reader.ReadToEndAsync());

        await using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var values = ActiveTimeBands.Starts.Skip(1).SelectMany(s => new[] { s - 1, s, s + 1 }).Concat([long.MinValue, -5, 0, 999, long.MaxValue]);
        foreach (var value in values)
        {
            Assert.Equal(ActiveTimeBands.Of(value), connection.Scalar($"SELECT {ActiveTimeBands.Sql("v")} FROM (SELECT {value} AS v)"));
            var band = ActiveTimeBands.Of(value);
            Assert.True(ActiveTimeBands.Starts[band] <= value && value < ActiveTimeBands.End(band) || ActiveTimeBands.End(band) == long.MaxValue, $"{value} in band {band}");
        }
    }

    private const string KeptBands = "SELECT project_id, hour, errored, band, sessions FROM session_active_bands_hourly ORDER BY 1, 2, 3, 4";

    private static readonly string RecomputedBands = $"""
        SELECT project_id, started_ms - ((started_ms % 3600000) + 3600000) % 3600000, error_count > 0, {ActiveTimeBands.Sql("active_ms")}, COUNT(*)
        FROM sessions GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        """;

    /// <summary>The bands as the writer kept them, and recomputed from the session rows.</summary>
    internal static (List<string> Kept, List<string> Recomputed) Bands(SqliteConnection connection) => (connection.IntegerRows(KeptBands), connection.IntegerRows(RecomputedBands));
}
