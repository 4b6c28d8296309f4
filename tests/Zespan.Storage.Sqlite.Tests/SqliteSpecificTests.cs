using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>What only the SQLite backend promises: its file layout, key hashing on disk and survival of a reopen.</summary>
public sealed class SqliteSpecificTests
{
    [Fact]
    public async Task ApiKey_OnlyItsHashIsStoredInTheFile()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Free, "p");
        var (storage, project) = (store.Storage, store.Project);
        var key = await storage.Projects.CreateApiKeyAsync(project, "k");

        await using var connection = await storage.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_hash, display_prefix, name FROM api_keys";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(ApiKeySecret.Hash(key.Secret), (byte[])reader.GetValue(0));
        Assert.NotEqual(key.Secret, reader.GetString(1));
        Assert.False(await reader.ReadAsync());
        await reader.DisposeAsync();
        SqliteConnection.ClearPool(connection);
        Assert.False(File.ReadAllText(storage.Database.FilePath, System.Text.Encoding.Latin1).Contains(key.Secret, StringComparison.Ordinal),
            "the secret appears in the database file");
    }

    [Fact]
    public async Task Spans_SurviveReopeningTheFile_AndMigrationsRunOnce()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Free, "p");
        var (storage, project) = (store.Storage, store.Project);
        await storage.SpanWriter.WriteAsync([new ProjectSpan(project, TestSpans.Llm("a", "s", TestSpans.Day0))]);

        var reopened = new SqliteStorage(storage.Database.FilePath, TimeProvider.System);
        await reopened.Database.MigrateAsync(); // a second start must not re-apply migrations
        var session = await reopened.Sessions.GetAsync(project, "s");
        Assert.Equal(1, session!.Session.Turns);
        Assert.Equal(1, (await reopened.Sessions.ListAsync(project, new SessionQuery())).TotalCount);
    }

    [Fact]
    public async Task Retention_DeletesContentKeptApartFromSpans_WithTheSpan_AndOrphansByArrival()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Free, "p");
        var (storage, project) = (store.Storage, store.Project);
        await storage.SpanWriter.WriteAsync([new ProjectSpan(project, TestSpans.Llm("old", "s", TestSpans.Day0))]);
        await storage.SpanContent.AttachAsync([
            new SpanContent(project, "old", "{\"role\":\"user\",\"content\":\"hi\"}", null),
            new SpanContent(project, "never-arrived", "{\"role\":\"user\",\"content\":\"secret\"}", null),
        ]);
        Assert.Equal(2, await CountContentAsync(storage));

        // The cut passes the old span but not the arrival of the orphan's content (just now): only the span's goes.
        Assert.Equal(1, await storage.Retention.DeleteSpansStartedBeforeAsync(project, TestSpans.Day0 + 1, 100));
        Assert.Equal(1, await CountContentAsync(storage));

        var afterArrival = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeMilliseconds();
        await storage.Retention.DeleteSpansStartedBeforeAsync(project, afterArrival, 100);
        Assert.Equal(0, await CountContentAsync(storage));
    }

    private static Task<long> CountContentAsync(SqliteStorage storage) => storage.Database.ScalarAsync("SELECT COUNT(*) FROM span_content");
}
