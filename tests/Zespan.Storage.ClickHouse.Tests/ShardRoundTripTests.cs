using System.Globalization;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// How many queries a sessions read makes the shards run. Each query a node runs (an HTTP statement, or a part of a
/// Distributed read that another node sent it) adds one to its system.events "Query" counter; a Distributed read's
/// local part does not. A statement that reads k Distributed tables once each thus costs 1 + k over the two nodes. On a
/// loaded cluster every extra remote query is a round trip that waits for a core, so a read that repeats one is slow
/// whatever the data's size (issue 20: a 1,000-session list took seconds).
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ShardRoundTripTests(ClickHouseCluster cluster)
{
    [Fact]
    public async Task TheSessionsListAndStats_ReadEachTableOncePerStatement()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = 3_000_000_000L + Random.Shared.Next(1_000_000);
        var spans = Enumerable.Range(0, 6).Select(i => new SpanRecord
        {
            Id = "span-" + i, TraceId = "trace-" + i, SessionId = "session-" + i % 3, UserId = "user", Name = "chat",
            Kind = SpanKind.Llm, Model = "gpt-4o", StartMs = 1_000 + i * 1_000_000L, EndMs = 2_000 + i * 1_000_000L, CostPico = 10 + i,
        }).ToList();
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());

        // The page from candidates, its thresholds and the count: three statements, each reading session_rows once per
        // node (the candidates' IN reads each node's own rows inside its part of the statement).
        var list = await QueriesDuringAsync(() => backend.Sessions.ListAsync(project, new SessionQuery { Filter = new SessionFilter { MinTurns = 1 } }));
        Assert.Equal(3, list.Result.TotalCount);
        Assert.Equal(3 * (1 + 1), list.Queries);

        // The sums per cost band, then the costs of the bands that hold the median's and the 95th percentile's ranks:
        // two statements, each reading session_rows once.
        var stats = await QueriesDuringAsync(() => backend.Sessions.StatsAsync(project, SessionFilter.None));
        Assert.Equal(3, stats.Result.Sessions);
        Assert.Equal(2 * (1 + 1), stats.Queries);
    }

    [Fact]
    public async Task ASessionDetail_ReadsItsCallsWithTheirPayloads_InOneRound()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = 3_000_000_000L + Random.Shared.Next(1_000_000);
        var spans = Enumerable.Range(0, 3).Select(i => new SpanRecord
        {
            Id = "span-" + i, TraceId = "trace", SessionId = "session", Name = "chat", Kind = SpanKind.Llm, Model = "gpt-4o",
            StartMs = 1_000 + i * 1_000L, EndMs = 2_000 + i * 1_000L, CostPico = 10 + i,
            InputJson = $"[{{\"role\":\"user\",\"content\":\"{i}\"}}]", OutputJson = $"{{\"content\":\"{i}\"}}",
        }).ToList();
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());

        // The session's row, the threshold it follows, its moved spans and its calls with their payloads: four statements
        // sent together, each reading one Distributed table once. Payloads read after the calls were one statement more.
        var detail = await QueriesDuringAsync(() => backend.Sessions.GetAsync(project, "session", withPayloads: true));
        Assert.Equal(["{\"content\":\"0\"}", "{\"content\":\"1\"}", "{\"content\":\"2\"}"], detail.Result!.Timeline.Select(t => t.OutputJson));
        Assert.Equal(4 * (1 + 1), detail.Queries);
    }

    [Fact]
    public async Task AWriteOfWholeTraces_ReadsNoSpanRowsForTheirRows()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = 3_000_000_000L + Random.Shared.Next(1_000_000);
        SpanRecord Call(int i, string trace) => new()
        {
            Id = "span-" + i, TraceId = trace, SessionId = "session", Name = "chat", Kind = SpanKind.Llm, Model = "gpt-4o",
            StartMs = 1_000 + i * 1_000L, EndMs = 2_000 + i * 1_000L, CostPico = 10 + i,
        };
        // Two new spans, the whole of trace a: its row is folded from the written rows and sent as values.
        var whole = await QueriesDuringAsync(async () => { await backend.SpanWriter.WriteAsync([new ProjectSpan(project, Call(0, "a")), new ProjectSpan(project, Call(1, "a"))]); return 0; });
        // A third span joins a: the trace has spans this write did not send, so its row is recomputed from the span rows.
        var joining = await QueriesDuringAsync(async () => { await backend.SpanWriter.WriteAsync([new ProjectSpan(project, Call(2, "a"))]); return 0; });

        // Every other statement is the same for both writes (one session, no move). The recompute's two (the sessions of
        // the trace's spans, then its INSERT … SELECT over their rows) cost the nodes three queries more than the row sent
        // as values: a writer that recomputed every trace would make both writes cost the same.
        Assert.Equal(whole.Queries + 3, joining.Queries);
        var trace = Assert.Single((await backend.Traces.ListAsync(project, new TraceQuery { Limit = 10 })).Items);
        Assert.Equal((3, (Int128)(10 + 11 + 12)), (trace.SpanCount, trace.CostPico));
    }

    /// <summary>The queries both nodes ran for <paramref name="read"/> (the counter reads around it taken out).</summary>
    private async Task<(T Result, long Queries)> QueriesDuringAsync<T>(Func<Task<T>> read)
    {
        using var http = new HttpClient();
        var before = await QueryCounterAsync(http);
        var result = await read();
        var after = await QueryCounterAsync(http);
        // Reading the counter is a query on each node, counted by the second reading of it.
        return (result, after - before - cluster.ShardUrls.Count);
    }

    private async Task<long> QueryCounterAsync(HttpClient http)
    {
        long total = 0;
        foreach (var node in cluster.ShardUrls)
        {
            using var response = await http.PostAsync(node.TrimEnd('/') + "/",
                new StringContent("SELECT value FROM system.events WHERE event = 'Query'"));
            response.EnsureSuccessStatusCode();
            total += long.Parse((await response.Content.ReadAsStringAsync()).Trim(), CultureInfo.InvariantCulture);
        }
        return total;
    }
}
