using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// A replaced span rebuilds its trace row from the stored spans. That rebuild summed cost with LINQ's checked long Sum and
/// threw past 2^63 picodollars ($9,223,372.04), failing the whole write; the row now saturates at its documented bound.
/// </summary>
public sealed class TraceRebuildMoneyTests : IAsyncLifetime
{
    private const long MillionDollars = 1_000_000 * Money.PicoPerUsd;
    private SqliteStorage _storage = null!;
    private string _folder = null!;
    private long _project;

    public async Task InitializeAsync()
    {
        (_storage, _folder) = await SqliteStoreFactory.CreateStorageAsync();
        var organization = await _storage.Organizations.CreateAsync("o", Plan.Free);
        _project = (await _storage.Projects.CreateProjectAsync(organization.Id, "p")).Id;
    }

    public Task DisposeAsync() => SqliteStoreFactory.DeleteAsync(_storage, _folder).AsTask();

    private static SpanRecord Call(int i, long outputTokens = 50) =>
        TestSpans.Llm($"whale-{i}", $"conv-{i}", TestSpans.Day0 + i * 1_000L, outputTokens: outputTokens, costPico: MillionDollars, traceId: "whale");

    [Fact]
    public async Task ReplacingASpan_InATraceOverTheBound_SaturatesInsteadOfThrowing()
    {
        // Nine calls ($9M) fit; the tenth arrives alone, then a changed re-send of it forces the rebuild.
        await WriteAsync(Enumerable.Range(0, 9).Select(i => Call(i)));
        await WriteAsync([Call(9)]);
        await WriteAsync([Call(9, outputTokens: 60)]);

        var trace = Assert.Single((await _storage.Traces.ListAsync(_project, new TraceQuery())).Items);
        Assert.Equal((10, 0), (trace.LlmCalls, trace.UnpricedCalls));
        Assert.Equal(long.MaxValue, trace.CostPico); // 10^19 picodollars exceed the row's 64 bits: the bound, not a wrap
    }

    [Fact]
    public void SaturatedSum_IsExactBelowTheBound_AndClampsBothWays()
    {
        Assert.Equal(9 * MillionDollars + 1, AggregateRebuilder.SaturatedSum([.. Enumerable.Repeat(MillionDollars, 9), 1]));
        Assert.Equal(long.MaxValue, AggregateRebuilder.SaturatedSum([long.MaxValue, 1]));
        Assert.Equal(long.MinValue, AggregateRebuilder.SaturatedSum([long.MinValue, -1]));
    }

    private Task WriteAsync(IEnumerable<SpanRecord> spans) => _storage.SpanWriter.WriteAsync([.. spans.Select(s => new ProjectSpan(_project, s))]);
}
