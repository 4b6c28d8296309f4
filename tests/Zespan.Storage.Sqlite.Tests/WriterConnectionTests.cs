using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The span writer writes through one connection it keeps open, and the guard queue's clean-up after each commit goes
/// through the same one, so the writer's page cache survives from one group commit to the next (SQLite drops a
/// connection's whole cache when another connection committed since).
/// </summary>
public sealed class WriterConnectionTests
{
    /// <summary>sqlite3_db_status op: pages the connection had to read because they were not in its cache.</summary>
    private const int CacheMissStatus = 8;

    [Fact]
    public async Task AfterTheGuardQueueIsEmptied_TheNextWriteFindsEveryPageInTheWritersCache()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        await storage.SpanWriter.WriteAsync(Batch(project, "a"));
        var queue = new SqliteGuardQueue(storage);
        var pending = await queue.PendingAsync(1_000);
        Assert.NotEmpty(pending);
        await queue.DoneAsync(pending);
        Assert.Empty(await queue.PendingAsync(1_000));

        var writer = await storage.WriterConnection.GetAsync();
        SQLitePCL.raw.sqlite3_db_status(writer.Handle, CacheMissStatus, out _, out _, 1);
        await storage.SpanWriter.WriteAsync(Batch(project, "b"));
        SQLitePCL.raw.sqlite3_db_status(writer.Handle, CacheMissStatus, out var misses, out _, 0);

        // Every page the second write touches was read or written by the writer's connection in the first one.
        Assert.Equal(0, misses);
        Assert.Equal(37, (await storage.Sessions.ListAsync(project, new SessionQuery())).TotalCount);
    }

    private static List<ProjectSpan> Batch(long projectId, string prefix) => Enumerable.Range(0, 2_000)
        .Select(i => new ProjectSpan(projectId, TestSpans.Llm($"{prefix}-s{i}", $"session-{i % 37}", TestSpans.Day0 + i * 1_000, traceId: $"{prefix}-t{i % 11}")))
        .ToList();
}
