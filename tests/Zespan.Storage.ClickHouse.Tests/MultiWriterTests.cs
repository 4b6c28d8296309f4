using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;
using Zespan.QuickStart.Tests;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// Two real server processes write the same sessions into one ClickHouse database on the two-shard cluster at once:
/// the same spans through both (duplicates racing), then re-sends that change cost, tokens, session (moving spans
/// between sessions, so between shards) and trace. Right after the last 2xx every session and trace equals a recomputation from the final
/// spans: the documented bound is "exact on the next read", which this test holds the backend to.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class MultiWriterTests(ClickHouseCluster cluster)
{
    private const string Key = "zsp_clickhouse_multi_writer_key_0123456789";

    [Fact]
    public async Task TwoServers_IngestingOverlappingAndResentSpans_AgreeWithARecomputation()
    {
        var settings = cluster.NewDatabase();
        var urls = settings.Urls.Select(u => u.ToString().TrimEnd('/')).ToList();
        // Each server lists the nodes in another order, so each writes through a different node. Each keeps its own SQLite
        // control plane; the preset key makes project 1 in both, the project whose spans they share.
        await using var a = await StartAsync(settings, string.Join(",", urls));
        await using var b = await StartAsync(settings, string.Join(",", Enumerable.Reverse(urls)));
        // The banner says where the spans go (it named only the SQLite file before).
        Assert.Contains($"Telemetry:       ClickHouse {string.Join(", ", settings.Urls.Select(u => u.Authority))}, database {settings.Database}, cluster {settings.Cluster}", a.Output);
        var random = new Random(20);
        var start = DateTimeOffset.UtcNow.AddHours(-2);

        var first = Enumerable.Range(0, 240).Select(i => Span(i, $"s{random.Next(30)}", start.AddSeconds(i), random)).ToList();
        // Both servers get every span, in different orders and batches, concurrently.
        await Task.WhenAll(IngestAllAsync(a, first.OrderBy(_ => random.Next()).ToList()), IngestAllAsync(b, first.OrderBy(_ => random.Next()).ToList()));

        // Re-sends: a third of the spans change session, trace, cost or tokens; each goes through one server, both at once.
        var changed = first.Where(_ => random.Next(3) == 0)
            .Select(s => random.Next(3) switch
            {
                0 => s with { SessionId = $"s{random.Next(30)}" },
                1 => s with { TraceId = $"trace-{random.Next(80)}" },
                _ => s with { CostPico = random.Next(2) == 0 ? null : random.Next(1, 5_000) * 1_000_000L, Usage = s.Usage with { OutputTokens = random.Next(1_000) } },
            })
            .ToList();
        var viaA = changed.Where((_, i) => i % 2 == 0).ToList();
        var viaB = changed.Where((_, i) => i % 2 == 1).ToList();
        await Task.WhenAll(IngestAllAsync(a, viaA), IngestAllAsync(b, viaB));

        var final = first.Select(s => changed.LastOrDefault(c => c.Id == s.Id) ?? s).ToList();
        var expected = ReferenceFigures.Sessions(final);
        var backend = await ClickHouseBackend.CreateAsync(settings);
        try
        {
            var listed = await backend.Sessions.ListAsync(1, new SessionQuery { Limit = SessionQuery.MaxLimit });
            Assert.Equal(expected.Count, listed.TotalCount);
            foreach (var session in listed.Items)
                Compare.Session(expected[session.SessionId], session, "multi-writer");
            var stats = await backend.Sessions.StatsAsync(1, SessionFilter.None);
            Assert.Equal(final.Sum(s => s.CostPico ?? 0), (long)stats.TotalCostPico);
            var expectedTraces = ReferenceFigures.Traces(final);
            var traces = await backend.Traces.ListAsync(1, new TraceQuery { Limit = 500 });
            Assert.Equal(expectedTraces.Count, traces.TotalCount);
            Assert.Equal(expectedTraces.Count, traces.Items.Count);
            foreach (var trace in traces.Items)
                Compare.Trace(expectedTraces[trace.TraceId], trace, "multi-writer");

            // Both servers answer from the same data.
            foreach (var server in new[] { a, b })
                Assert.Equal(expected.Count, await SessionCountAsync(server));
        }
        finally
        {
            await backend.DropAsync();
        }
    }

    private static SpanRecord Span(int i, string session, DateTimeOffset start, Random random) => new()
    {
        Id = $"span-{i:D4}",
        TraceId = $"trace-{i / 3}",
        SessionId = session,
        UserId = $"user-{random.Next(5)}",
        Name = "chat.completions.create",
        Kind = SpanKind.Llm,
        Model = "gpt-4o",
        StartMs = start.ToUnixTimeMilliseconds(),
        EndMs = start.ToUnixTimeMilliseconds() + random.Next(50, 3_000),
        Usage = new TokenUsage(random.Next(1, 2_000), random.Next(1, 500), 0, 0),
        CostPico = random.Next(4) == 0 ? null : random.Next(1, 5_000) * 1_000_000L,
    };

    private static object Wire(SpanRecord s) => new
    {
        id = s.Id, traceId = s.TraceId, sessionId = s.SessionId, userId = s.UserId, name = s.Name, kind = "llm",
        // A model without a price, so an absent client cost stays unknown instead of being priced from the table.
        model = s.CostPico is null ? "zespan-unpriced-model" : s.Model, provider = "openai",
        startTime = DateTimeOffset.FromUnixTimeMilliseconds(s.StartMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        endTime = DateTimeOffset.FromUnixTimeMilliseconds(s.EndMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        usage = new { inputTokens = s.Usage.InputTokens, outputTokens = s.Usage.OutputTokens, cachedInputTokens = 0, reasoningTokens = 0 },
        costUsd = s.CostPico is { } pico ? pico / 1e12 : (double?)null,
    };

    private static async Task IngestAllAsync(ServerProcess server, List<SpanRecord> spans)
    {
        using var http = new HttpClient();
        foreach (var batch in spans.Chunk(17))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/api/v1/ingest") { Content = JsonContent.Create(new { batch = batch.Select(Wire) }) };
            request.Headers.Authorization = new("Bearer", Key);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{server.Output}");
        }
    }

    private static async Task<long> SessionCountAsync(ServerProcess server)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, server.BaseUrl + "/api/v1/sessions?limit=1");
        request.Headers.Authorization = new("Bearer", Key);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("totalCount").GetInt64();
    }

    private static Task<ServerProcess> StartAsync(ClickHouseSettings settings, string urls) =>
        ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["ZESPAN_STORAGE"] = "clickhouse",
            ["ZESPAN_CLICKHOUSE_URL"] = urls,
            ["ZESPAN_CLICKHOUSE_DATABASE"] = settings.Database,
            ["ZESPAN_CLICKHOUSE_CLUSTER"] = settings.Cluster!,
            ["ZESPAN_API_KEY"] = Key,
            ["ZESPAN_ADMIN_PASSWORD"] = "clickhouse-multi-writer-pw",
        });
}
