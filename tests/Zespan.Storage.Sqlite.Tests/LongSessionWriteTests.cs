using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// What a write costs in a long session whose calls carry a per-call metadata value (issue 12: one re-sent span held the
/// writer 11–18 s at 20,000 turns). Counted in rows touched, through counting triggers in the real file, not timed:
/// the timings are in docs/benchmarks.md.
/// </summary>
public sealed class LongSessionWriteTests : IAsyncLifetime
{
    private const int Turns = 400;
    private SeededStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await SeededStore.CreateAsync(Plan.Free, "p");
        // Two batches, so the cap on grouping values also holds across writes (the stored rows are trimmed).
        await WriteAsync(Enumerable.Range(0, Turns / 2).Select(Call));
        await WriteAsync(Enumerable.Range(Turns / 2, Turns / 2).Select(Call));
        await ExecuteAsync("""
            CREATE TABLE touched (what TEXT NOT NULL);
            CREATE TRIGGER count_span_updates AFTER UPDATE ON spans BEGIN INSERT INTO touched VALUES ('span'); END;
            CREATE TRIGGER count_session_deletes AFTER DELETE ON sessions BEGIN INSERT INTO touched VALUES ('session'); END;
            CREATE TRIGGER count_metadata_inserts AFTER INSERT ON session_metadata BEGIN INSERT INTO touched VALUES ('metadata'); END;
            CREATE TRIGGER count_metadata_deletes AFTER DELETE ON session_metadata BEGIN INSERT INTO touched VALUES ('metadata'); END;
            """);
    }

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private static SpanRecord Call(int i) =>
        TestSpans.Llm($"call-{i:D5}", "long", TestSpans.Day0 + i * 1_000L, outputTokens: 50)
            .WithMetadata(("feature", "support"), ("timeToFirstTokenMs", (1_000 + i * 7).ToString()));

    [Fact]
    public async Task ResendingAnUnchangedSpan_TouchesNoRow()
    {
        await WriteAsync([Call(Turns / 2)]);

        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM touched"));
        var session = (await _store.Storage.Sessions.GetAsync(_store.Project, "long"))!.Session;
        Assert.Equal((Turns, Turns * 50L), (session.Turns, session.OutputTokens));
    }

    [Fact]
    public async Task PerCallMetadata_KeepsOnlyTheSmallestValues_AndAReplacementRewritesOnlyThose()
    {
        // Recomputed here: the values as text in code point order (ASCII digits: ordinal order), the 16 smallest.
        var expected = Enumerable.Range(0, Turns).Select(i => (1_000 + i * 7).ToString()).Order(StringComparer.Ordinal)
            .Take(MetadataValues.MaxValuesPerKeyPerSession).ToList();
        Assert.Equal(expected, await ValuesAsync());
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM session_metadata WHERE key = 'feature'"));

        // A changed span rebuilds the session: its grouping rows are rewritten (16 + 1 values, deleted and inserted), not 400.
        await WriteAsync([Call(Turns / 2) with { Usage = new TokenUsage(100, 80, 0, 0) }]);

        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM touched WHERE what = 'metadata'") <= 2 * (MetadataValues.MaxValuesPerKeyPerSession + 1));
        Assert.Equal(expected, await ValuesAsync());
        var session = (await _store.Storage.Sessions.GetAsync(_store.Project, "long"))!.Session;
        Assert.Equal((Turns, Turns * 50L + 30), (session.Turns, session.OutputTokens));
        var groups = await _store.Storage.Sessions.BreakdownAsync(_store.Project, new SessionGrouping.ByMetadata("timeToFirstTokenMs"), SessionFilter.None, 100);
        Assert.Equal(expected.Order(CodePointOrder.Instance), groups.Select(g => g.Group!).Order(CodePointOrder.Instance));
    }

    [Fact]
    public async Task AChangeOnlyInSums_ShiftsTheRowsInPlace_AndAChangedEndRebuilds()
    {
        var changed = Call(Turns / 2) with { Usage = new TokenUsage(100, 80, 0, 0), CostPico = 7_000_000, Status = SpanStatus.Error, Error = "late" };
        await WriteAsync([changed]);

        // In place: no session row deleted and re-inserted, no grouping row rewritten (the rebuild did both).
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM touched WHERE what IN ('session', 'metadata')"));
        await AssertFiguresAsync(Turns * 50L + 30, errors: 1, changedCost: 7_000_000);

        // The end time is what active time and duration take: that change rebuilds the session from its calls.
        await WriteAsync([changed with { EndMs = changed.EndMs + 5 }]);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM touched WHERE what = 'session'"));
        await AssertFiguresAsync(Turns * 50L + 30, errors: 1, changedCost: 7_000_000);
    }

    /// <summary>The session, its trace (every call is in one) and the stats, each against the sums recomputed here.</summary>
    private async Task AssertFiguresAsync(long outputTokens, int errors, long changedCost)
    {
        var expectedCost = (Turns - 1) * (Int128)Call(0).CostPico!.Value + changedCost;
        var session = (await _store.Storage.Sessions.GetAsync(_store.Project, "long"))!.Session;
        Assert.Equal((Turns, outputTokens, errors, expectedCost), (session.Turns, session.OutputTokens, session.ErrorCount, session.CostPico));
        var trace = Assert.Single((await _store.Storage.Traces.ListAsync(_store.Project, new TraceQuery())).Items);
        Assert.Equal((Turns, errors, expectedCost), (trace.LlmCalls, trace.ErrorCount, trace.CostPico));
        var stats = await _store.Storage.Sessions.StatsAsync(_store.Project, SessionFilter.None);
        Assert.Equal((1, expectedCost, 1), (stats.Sessions, stats.TotalCostPico, stats.SessionsWithErrors));
    }

    private Task WriteAsync(IEnumerable<SpanRecord> spans) => _store.Storage.SpanWriter.WriteAsync([.. spans.Select(s => new ProjectSpan(_store.Project, s))]);

    private Task<List<string>> ValuesAsync() =>
        _store.Storage.Database.StringsAsync("SELECT value FROM session_metadata WHERE key = 'timeToFirstTokenMs' ORDER BY value");

    private Task<long> ScalarAsync(string sql) => _store.Storage.Database.ScalarAsync(sql);

    private Task ExecuteAsync(string sql) => _store.Storage.Database.ExecuteAsync(sql);
}
