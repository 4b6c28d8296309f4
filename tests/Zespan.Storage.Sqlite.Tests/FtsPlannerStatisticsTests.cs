using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// FTS5 deletes merged-away segment pages with <c>DELETE FROM x_data WHERE id &gt;= ? AND id &lt;= ?</c>. Analysed while
/// empty (a new file, or an upgrade that rebuilt an index), such a table's sqlite_stat1 says 2 rows, and SQLite plans that
/// delete as a scan of the whole table until the statistics are refreshed: every merge then read the whole index (a fill
/// of 575,000 documents took 17.5–21 min, ~120 s with the refresh: docs/benchmarks.md). The indexer refreshes them as it
/// fills the indexes (SessionGramIndexer.DocumentsBetweenOptimize), so once it has, every FTS5 table's delete is a seek.
/// </summary>
public sealed class FtsPlannerStatisticsTests
{
    private static readonly string[] FtsTables = ["session_search", "session_grams", "session_search_bands", "session_search_active_bands"];

    private static string DeletePlan(SqliteConnection connection, string table) =>
        connection.QueryPlan($"DELETE FROM {table}_data WHERE id >= $first AND id <= $last");

    /// <summary>The plan on a reader's connection from the pool (which keeps the statistics it opened with).</summary>
    private static string PooledDeletePlan(SqliteStorage storage, string table)
    {
        using var connection = storage.Database.OpenAsync().GetAwaiter().GetResult();
        return DeletePlan(connection, table);
    }

    [Fact]
    public async Task AfterTheIndexerFillsAnalysedEmptyIndexes_FtsDeletesSeek()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Free, "p");
        var storage = store.Storage;
        // As a server's start leaves a new file: statistics taken while every index is empty.
        await storage.Database.OptimizeAsync();
        Assert.All(FtsTables, table => Assert.Contains($"SCAN {table}_data", PooledDeletePlan(storage, table)));

        // One session per call, so every call is a search document for the indexer, in the server's batch size.
        const int Sessions = SessionGramIndexer.DocumentsBetweenOptimize + 500;
        foreach (var chunk in Enumerable.Range(0, Sessions).Chunk(1_000))
            await storage.SpanWriter.WriteAsync([.. chunk.Select(i => new ProjectSpan(store.Project,
                Llm($"c{i}", $"session-{i}", Day0 + i * 1_000L, traceId: $"t{i}")))]);
        long indexed = 0;
        int cleared;
        do
            indexed += cleared = await storage.GramIndexer.IndexBatchAsync(SessionGramIndexer.BackgroundBatch);
        while (cleared == SessionGramIndexer.BackgroundBatch);

        Assert.Equal(Sessions, indexed);
        // The writer's connection, where the indexer's and the writer's FTS5 statements run, and a pooled reader's.
        var writer = ((SqliteSpanWriter)storage.SpanWriter).Connection.Current!;
        Assert.All(FtsTables, table => Assert.Contains($"SEARCH {table}_data USING INTEGER PRIMARY KEY", DeletePlan(writer, table)));
        Assert.All(FtsTables, table => Assert.Contains($"SEARCH {table}_data USING INTEGER PRIMARY KEY", PooledDeletePlan(storage, table)));
    }
}
