using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// A long session's rebuild runs outside the single writer (DeferredSessionRebuilds, issue 12): the write commits its spans
/// with the session marked stale, the session is computed from a snapshot without the gate and written in a second short
/// transaction. These tests interleave other writes at the point where the gate is free and check every figure against a
/// recomputation from the spans; the conformance suites run again with every rebuild deferred (SqliteStoreFactory).
/// </summary>
public sealed class DeferredSessionRebuildTests : IAsyncLifetime
{
    private const int Turns = 40;
    private SeededStore _store = null!;
    private readonly Dictionary<string, SpanRecord> _written = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _store = await SeededStore.CreateAsync(Plan.Free, "p");
        _store.Storage.DeferredRebuilds.MinTurns = Turns / 2; // the session below is "long"; a new one is not
        await WriteAsync([.. Enumerable.Range(0, Turns).Select(Call)]);
    }

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private static SpanRecord Call(int i) =>
        TestSpans.Llm($"call-{i:D3}", "long", TestSpans.Day0 + i * 60_000L, latencyMs: 2_000, userId: $"user-{i % 3}", traceId: $"t-{i}")
            .WithMetadata(("feature", "support"), ("requestId", $"req-{i:D3}"));

    private async Task WriteAsync(SpanRecord[] spans)
    {
        await _store.Storage.SpanWriter.WriteAsync([.. spans.Select(s => new ProjectSpan(_store.Project, s))]);
        foreach (var span in spans)
            _written[span.Id] = span;
    }

    [Fact]
    public async Task ARebuiltReSent_IsComputedWithoutTheGate_AnotherWriteRunsMeanwhile()
    {
        var other = TestSpans.Llm("other-1", "short", TestSpans.Day0, traceId: "t-other");
        _store.Storage.DeferredRebuilds.AfterComputed = async () =>
            // The gate is free here: a write of another session completes (it would wait for ever if the rebuild held it).
            await WriteAsync([other]).WaitAsync(TimeSpan.FromSeconds(60));

        await WriteAsync([Call(Turns / 2) with { EndMs = Call(Turns / 2).EndMs + 90_000 }]);

        await AssertMatchesRecomputationAsync();
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM stale_sessions"));
    }

    [Fact]
    public async Task AWriteBetweenSnapshotAndApply_IsNotLost()
    {
        // New calls appended while the re-send's session is computed: the computed row lacks them, so it must not be written
        // (the writer rebuilds the session instead).
        _store.Storage.DeferredRebuilds.AfterComputed = () =>
            WriteAsync([Call(Turns), Call(Turns + 1) with { Tags = ["late"] }]);

        await WriteAsync([Call(3) with { EndMs = Call(3).EndMs + 1_000, UserId = "user-x" }]);

        await AssertMatchesRecomputationAsync();
        var session = (await _store.Storage.Sessions.GetAsync(_store.Project, "long"))!.Session;
        Assert.Equal(Turns + 2, session.Turns);
    }

    [Fact]
    public async Task RetentionOfALongSession_DeferredAndExact()
    {
        _store.Storage.DeferredRebuilds.AfterComputed = () => WriteAsync([Call(Turns + 5)]);

        await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, TestSpans.Day0 + 10 * 60_000L, batchSize: 4);

        foreach (var id in _written.Keys.Where(id => _written[id].StartMs < TestSpans.Day0 + 10 * 60_000L).ToList())
            _written.Remove(id);
        await AssertMatchesRecomputationAsync();
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM stale_sessions"));
    }

    [Fact]
    public async Task ASessionLeftStaleByACrash_IsRebuiltAtTheNextStart()
    {
        // What a kill -9 between the two commits leaves: the calls changed, the row not, the marker set.
        await ExecuteAsync("""
            UPDATE spans SET end_ms = end_ms + 600000 WHERE span_id = 'call-007';
            UPDATE sessions SET turns = 1, ended_ms = 0 WHERE session_id = 'long';
            INSERT INTO stale_sessions (project_id, session_id) SELECT project_id, 'long' FROM sessions WHERE session_id = 'long';
            """);
        _written["call-007"] = _written["call-007"] with { EndMs = _written["call-007"].EndMs + 600_000 };

        var restarted = new SqliteStorage(_store.Storage.Database.FilePath, TimeProvider.System);
        await restarted.Database.MigrateAsync();

        await AssertMatchesRecomputationAsync();
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM stale_sessions"));
    }

    private async Task AssertMatchesRecomputationAsync()
    {
        var expected = ReferenceFigures.Sessions(_written.Values);
        foreach (var (sessionId, session) in expected)
            Compare.Session(session, (await _store.Storage.Sessions.GetAsync(_store.Project, sessionId))!.Session);
        var page = await _store.Storage.Sessions.ListAsync(_store.Project, new Zespan.Core.Sessions.SessionQuery { Limit = 100 });
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), page.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
        // The session's tags as every remaining call carries them.
        var tags = _written.Values.Where(s => s.SessionId == "long").SelectMany(s => s.Tags).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(tags, await StringsAsync("SELECT tag FROM session_tags WHERE session_id = 'long' ORDER BY tag"));
    }

    private Task ExecuteAsync(string sql) => _store.Storage.Database.ExecuteAsync(sql);

    private Task<long> ScalarAsync(string sql) => _store.Storage.Database.ScalarAsync(sql);

    private Task<List<string>> StringsAsync(string sql) => _store.Storage.Database.StringsAsync(sql);
}
