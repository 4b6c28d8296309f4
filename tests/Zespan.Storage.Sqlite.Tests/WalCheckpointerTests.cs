using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>The span writer leaves checkpointing to a background checkpointer; the WAL must still end up copied into the file.</summary>
public sealed class WalCheckpointerTests
{
    [Fact]
    public async Task AfterWrites_TheBackgroundCheckpointCopiesEveryCommittedFrame_AndDataStaysReadable()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        var fileBytesBefore = new FileInfo(storage.Database.FilePath).Length;
        for (var batch = 0; batch < 5; batch++)
        {
            await storage.SpanWriter.WriteAsync(Enumerable.Range(0, 400)
                .Select(i => new ProjectSpan(project, TestSpans.Llm($"b{batch}-s{i}", $"session-{i % 37}", TestSpans.Day0 + i * 1_000, traceId: $"t{batch}-{i % 11}")))
                .ToList());
        }
        var checkpointer = ((SqliteSpanWriter)storage.SpanWriter).Checkpointer;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (checkpointer.Completed == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(checkpointer.Completed > 0, "no background checkpoint ran");

        // The writer's own threshold (20,000 pages) is far above these writes, so only the background checkpoint can
        // have copied their pages from the WAL into the database file.
        while (checkpointer.Running && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(new FileInfo(storage.Database.FilePath).Length > fileBytesBefore + 100_000,
            $"the database file did not grow from {fileBytesBefore} bytes: the WAL was not checkpointed");
        Assert.Equal(37, (await storage.Sessions.ListAsync(project, new SessionQuery())).TotalCount);
    }
}
