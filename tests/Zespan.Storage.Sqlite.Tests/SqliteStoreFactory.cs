using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// A fresh, migrated SQLite database file in its own temporary folder per test, deleted afterwards.
/// <paramref name="deferEveryRebuild"/>: every session rebuild runs outside the writer (DeferredSessionRebuilds), as only
/// long sessions' do in production, so the conformance suites check that path too.
/// <paramref name="indexGramsAlongside"/>: the gram index of short q= (migration 350) is filled beside the suite in tiny
/// batches, as the server's loop does, so its searches meet every mix of pending and indexed documents (without it,
/// every document the suite writes stays pending).
/// </summary>
public sealed class SqliteStoreFactory(bool deferEveryRebuild = false, bool indexGramsAlongside = false) : IStoreFactory
{
    public static async Task<(SqliteStorage Storage, string Folder)> CreateStorageAsync(bool deferEveryRebuild = false)
    {
        var folder = Path.Combine(Path.GetTempPath(), "zespan-sqlite-tests", Guid.NewGuid().ToString("N"));
        var storage = new SqliteStorage(Path.Combine(folder, "zespan.db"), TimeProvider.System);
        if (deferEveryRebuild)
            storage.DeferredRebuilds.MinTurns = 1;
        await storage.Database.MigrateAsync();
        return (storage, folder);
    }

    public static async ValueTask DeleteAsync(SqliteStorage storage, string folder)
    {
        // Pooled connections and the writer's own keep the file open; release this database's before deleting its folder.
        storage.Dispose();
        await using (var connection = await storage.Database.OpenAsync())
            SqliteConnection.ClearPool(connection);
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }

    public async Task<StoreUnderTest> CreateAsync()
    {
        var (storage, folder) = await CreateStorageAsync(deferEveryRebuild);
        var stop = new CancellationTokenSource();
        var indexing = indexGramsAlongside ? IndexGramsAsync(storage, stop.Token) : Task.CompletedTask;
        return new StoreUnderTest(storage.SpanWriter, storage.Sessions, storage.Traces, storage.Costs, storage.Projects, storage.Organizations,
            storage.Retention, async () =>
            {
                stop.Cancel();
                await indexing;
                await DeleteAsync(storage, folder);
            }, storage.SessionKinds, storage.SessionActivity, storage.SessionOverview, storage.SpanContent);
    }

    private static async Task IndexGramsAsync(SqliteStorage storage, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await storage.GramIndexer.IndexBatchAsync(batch: 3, stop);
                await Task.Delay(1, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}

/// <summary>
/// A fresh store (<see cref="SqliteStoreFactory.CreateStorageAsync"/>) with organisation "o" and the named projects: the
/// set-up most tests here begin with, written once so that every test seeds its file the same way and cleans it up.
/// Disposing deletes the file and its folder.
/// </summary>
internal sealed class SeededStore : IAsyncDisposable
{
    private readonly string _folder;

    private SeededStore(SqliteStorage storage, string folder, long[] projects) => (Storage, _folder, Projects) = (storage, folder, projects);

    public SqliteStorage Storage { get; }

    /// <summary>The projects' ids, in the order of their names.</summary>
    public long[] Projects { get; }

    /// <summary>The first project: the one a test writes and reads.</summary>
    public long Project => Projects[0];

    /// <summary>The second: the same data written to another project, which must never show in the first one's answers.</summary>
    public long OtherProject => Projects[1];

    public static async Task<SeededStore> CreateAsync(Plan plan, params string[] projectNames)
    {
        var (storage, folder) = await SqliteStoreFactory.CreateStorageAsync();
        try
        {
            var organization = await storage.Organizations.CreateAsync("o", plan);
            var projects = new long[projectNames.Length];
            for (var i = 0; i < projects.Length; i++)
                projects[i] = (await storage.Projects.CreateProjectAsync(organization.Id, projectNames[i])).Id;
            return new SeededStore(storage, folder, projects);
        }
        catch
        {
            await SqliteStoreFactory.DeleteAsync(storage, folder);
            throw;
        }
    }

    /// <summary>
    /// Asserts that each project lists exactly the sessions of the LLM calls the test sent to it, each with as many turns:
    /// <paramref name="sentToEach"/>[k] is every span the test sent to Projects[k] (its latest version), by the test's own
    /// account — which project it meant, not the id it used. Why: a test that recomputes its reference from the stored
    /// rows agrees with data written to the wrong project, so seven such classes passed with both projects' data
    /// written into one (a fault planted in this fixture); this fails them.
    /// </summary>
    public async Task AssertHoldsWhatWasSentAsync(params IEnumerable<SpanRecord>[] sentToEach)
    {
        Assert.Equal(Projects.Length, sentToEach.Length);
        for (var k = 0; k < Projects.Length; k++)
        {
            var expected = sentToEach[k].Where(s => s is { Kind: SpanKind.Llm, SessionId: not null }).GroupBy(s => s.SessionId!, StringComparer.Ordinal)
                .Select(calls => $"{calls.Key}: {calls.Select(s => s.Id).Distinct(StringComparer.Ordinal).Count()} turns").Order(StringComparer.Ordinal);
            var page = await Storage.Sessions.ListAsync(Projects[k], new SessionQuery { Limit = SessionQuery.MaxLimit });
            Assert.Null(page.NextCursor);
            var listed = page.Items.Select(s => $"{s.SessionId}: {s.Turns} turns").Order(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(listed), $"project {k} (id {Projects[k]}) holds [{string.Join(", ", listed)}], was sent [{string.Join(", ", expected)}]");
        }
    }

    public ValueTask DisposeAsync() => SqliteStoreFactory.DeleteAsync(Storage, _folder);
}

// The conformance suites, run over a real SQLite file.
public sealed class SqliteSpanWriteTests() : SpanWriteConformance(new SqliteStoreFactory());
public sealed class SqliteSessionListTests() : SessionListConformance(new SqliteStoreFactory());
public sealed class SqliteSessionAnalyticsTests() : SessionAnalyticsConformance(new SqliteStoreFactory());
public sealed class SqliteTraceTests() : TraceConformance(new SqliteStoreFactory());
public sealed class SqliteCostTests() : CostConformance(new SqliteStoreFactory());
public sealed class SqliteProjectTests() : ProjectConformance(new SqliteStoreFactory());
public sealed class SqliteRandomizedTests() : RandomizedConformance(new SqliteStoreFactory());
public sealed class SqliteGramsIndexedRandomizedTests() : RandomizedConformance(new SqliteStoreFactory(indexGramsAlongside: true));
public sealed class SqliteGramsIndexedSessionActivityTests() : SessionActivityConformance(new SqliteStoreFactory(indexGramsAlongside: true));
public sealed class SqliteRetentionTests() : RetentionConformance(new SqliteStoreFactory());
public sealed class SqliteSessionInsightTests() : SessionInsightConformance(new SqliteStoreFactory());
public sealed class SqliteSessionActivityTests() : SessionActivityConformance(new SqliteStoreFactory());
public sealed class SqliteControlPlaneTests() : ControlPlaneConformance(new SqliteControlPlaneFactory());
public sealed class SqliteTraceContextTests() : TraceContextConformance(new SqliteStoreFactory());

// The suites that replace and delete spans again, with every session's rebuild computed outside the writer.
public sealed class SqliteDeferredSpanWriteTests() : SpanWriteConformance(new SqliteStoreFactory(deferEveryRebuild: true));
public sealed class SqliteDeferredRandomizedTests() : RandomizedConformance(new SqliteStoreFactory(deferEveryRebuild: true));
public sealed class SqliteDeferredRetentionTests() : RetentionConformance(new SqliteStoreFactory(deferEveryRebuild: true));
public sealed class SqliteDeferredSessionActivityTests() : SessionActivityConformance(new SqliteStoreFactory(deferEveryRebuild: true));
public sealed class SqliteDeferredSessionInsightTests() : SessionInsightConformance(new SqliteStoreFactory(deferEveryRebuild: true));
public sealed class SqliteDeferredTraceContextTests() : TraceContextConformance(new SqliteStoreFactory(deferEveryRebuild: true));

/// <summary>The control plane in a fresh SQLite file; a second opening is a second SqliteStorage on the same file, as the CLI is.</summary>
public sealed class SqliteControlPlaneFactory : IControlPlaneFactory
{
    public async Task<ControlPlaneUnderTest> CreateAsync()
    {
        var (storage, folder) = await SqliteStoreFactory.CreateStorageAsync();
        return Open(storage, () => SqliteStoreFactory.DeleteAsync(storage, folder));
    }

    private static ControlPlaneUnderTest Open(SqliteStorage storage, Func<ValueTask>? cleanUp) =>
        new(storage.Projects, storage.Organizations, storage.Users, storage.Versions, storage.Leases, new SqliteSetupLock(storage.Database),
            () => Task.FromResult(Open(new SqliteStorage(storage.Database.FilePath, TimeProvider.System), null)), cleanUp, storage.SessionSettings);
}
