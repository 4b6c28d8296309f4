using Zespan.Core;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// Migration 013 adds the cells' cache writes to session rows without recomputing them: a row written before it reads
/// zeros, one per cell, from the column's default. Cost by model (an ARRAY JOIN over the parallel cell arrays, which
/// fails on arrays of different lengths) must read such rows, and rows written after, and agree with a recomputation.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class CellCacheWritesUpgradeTests(ClickHouseCluster cluster)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SessionRowsWrittenBeforeMigration13_ReadZeroCacheWrites(bool onCluster)
    {
        var settings = cluster.NewDatabase(onCluster);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        var http = new ClickHouseHttp(settings, client);
        try
        {
            const long project = 7;
            var backend = await ClickHouseBackend.CreateAsync(settings);
            SpanRecord[] before = [Llm("a", "s1", 1_000, model: "claude-sonnet-4-5"), Llm("b", "s1", 2_000, model: "gpt-4o"), Llm("c", "s2", 3_000, model: "claude-sonnet-4-5")];
            await backend.SpanWriter.WriteAsync(before.Select(s => new ProjectSpan(project, s)).ToList());

            // The rows as a server before migration 013 wrote them: without the column, which the migration then adds.
            var local = onCluster ? "session_rows_local" : "session_rows";
            await http.ExecuteAsync($"ALTER TABLE {settings.Database}.{local} {(onCluster ? $"ON CLUSTER {settings.Cluster} " : "")}DROP COLUMN cell_cache_written_tokens");
            foreach (var statement in ClickHouseSchema.Migrations(settings.Database, settings.Cluster).Single(m => m.Number == 13).Statements)
                await http.ExecuteAsync(statement);
            Compare.Models(ReferenceFigures.Models(before), await backend.Costs.ByModelAsync(project, TimeRange.All), "rows written before 013");

            // A call with cache writes into one of those sessions: its row is written again, with the writes.
            var after = Llm("d", "s1", 1_500, model: "claude-sonnet-4-5") with { Usage = new TokenUsage(1_000, 10, 200, 0, 300) };
            await backend.SpanWriter.WriteAsync([new ProjectSpan(project, after)]);
            var expected = ReferenceFigures.Models([.. before, after]);
            Assert.Equal(300, expected["claude-sonnet-4-5"].CacheCreationInputTokens);
            Compare.Models(expected, await backend.Costs.ByModelAsync(project, TimeRange.All), "a row written after 013 beside one written before");
        }
        finally
        {
            await ClickHouseBackend.DropDatabaseAsync(settings);
        }
    }
}
