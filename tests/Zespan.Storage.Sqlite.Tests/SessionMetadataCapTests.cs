using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// A session keeps the MaxValuesPerKeyPerSession smallest values of each metadata key, however its calls are split over
/// writes. The writer trims a key only when the values stored before the write plus those it adds can pass the cap
/// (PendingAggregates.MayPassTheCap); these writes are the cases where a skipped trim would leave too many.
/// </summary>
public sealed class SessionMetadataCapTests
{
    private const int Cap = MetadataValues.MaxValuesPerKeyPerSession;

    [Fact]
    public async Task EachKey_KeepsTheSmallestValues_AcrossWrites()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Free, "p");
        var (storage, project) = (store.Storage, store.Project);
        var next = 0;
        Task Write(string session, params string[] values) => storage.SpanWriter.WriteAsync(values
            .Select(v => new ProjectSpan(project, TestSpans.Llm($"span-{next}", session, TestSpans.Day0 + next++).WithMetadata(("feature", v), ("plan", "pro"))))
            .ToList());
        static string[] Values(int from, int count) => [.. Enumerable.Range(from, count).Select(i => $"v{i:D2}")];

        // Stored values that were under the cap, then smaller ones that together pass it: the largest stored go.
        await Write("late-smaller", Values(20, 10));
        await Write("late-smaller", Values(0, 10));
        // A full key, then one larger value (dropped) and one smaller (the largest stored goes).
        await Write("full", Values(10, Cap));
        await Write("full", Values(90, 1));
        await Write("full", Values(0, 1));
        // More than the cap in the session's first write.
        await Write("first", Values(0, Cap + 9));
        // Exactly the cap over two writes: nothing to trim, nothing lost.
        await Write("exact", Values(0, Cap / 2));
        await Write("exact", Values(50, Cap - Cap / 2));

        async Task<string[]> Stored(string session, string key) => [.. await storage.Database.StringsAsync(
            $"SELECT value FROM session_metadata WHERE project_id = {project} AND session_id = '{session}' AND key = '{key}' ORDER BY value")];
        Assert.Equal(Values(0, 10).Concat(Values(20, Cap - 10)), await Stored("late-smaller", "feature"));
        Assert.Equal(Values(0, 1).Concat(Values(10, Cap - 1)), await Stored("full", "feature"));
        Assert.Equal(Values(0, Cap), await Stored("first", "feature"));
        Assert.Equal(Values(0, Cap / 2).Concat(Values(50, Cap - Cap / 2)), await Stored("exact", "feature"));
        foreach (var session in new[] { "late-smaller", "full", "first", "exact" })
            Assert.Equal(["pro"], await Stored(session, "plan"));
    }
}
