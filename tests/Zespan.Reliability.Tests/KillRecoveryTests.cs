using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Zespan.Reliability.Tests.Infrastructure;

namespace Zespan.Reliability.Tests;

/// <summary>
/// kill -9 while clients ingest: every span the server acknowledged (2xx) is there after the restart, and every session's
/// figures equal a recomputation from its raw spans. Clients then re-send what was in flight, as SDKs do, and the final
/// figures equal a recomputation from every span the test sent.
/// </summary>
public sealed class KillRecoveryTests(KillRecoveryTests.Folder folder, ITestOutputHelper output) : IClassFixture<KillRecoveryTests.Folder>
{
    public const int Kills = 5;
    private const int Clients = 4;
    private const int SpansPerRequest = 40;
    private const int Sessions = 16;

    /// <summary>The data folder the server is killed and restarted over.</summary>
    public sealed class Folder : IDisposable
    {
        public string DataDirectory { get; } = Directory.CreateTempSubdirectory("zespan-kill-").FullName;

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    private readonly Dictionary<string, JsonObject> _sent = new();
    private readonly HashSet<string> _acknowledged = new();
    private readonly Queue<List<JsonObject>> _unacknowledged = new();
    private int _nextSpan;

    [Fact]
    public async Task KillDuringIngestion_LosesNoAcknowledgedSpan_AndFiguresEqualRecomputation()
    {
        var random = new Random(12);
        for (var kill = 1; kill <= Kills; kill++)
        {
            await using var server = await ServerProcess.StartAsync(folder.DataDirectory);
            await AssertAcknowledgedPresentAndFiguresExactAsync(server, exact: false);

            using var stop = new CancellationTokenSource();
            var acknowledgedBefore = _acknowledged.Count;
            var clients = Enumerable.Range(0, Clients).Select(_ => RunClientAsync(server, stop.Token)).ToList();
            // Kill while requests are in flight, after some have been acknowledged in this round.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (_acknowledged.Count < acknowledgedBefore + Clients * SpansPerRequest * 3 && DateTime.UtcNow < deadline)
                await Task.Delay(20);
            await Task.Delay(random.Next(50, 400));
            await server.KillAsync();
            stop.Cancel();
            await Task.WhenAll(clients);
            output.WriteLine($"kill {kill}: {_acknowledged.Count:N0} spans acknowledged, {_unacknowledged.Sum(b => b.Count):N0} in flight at the kill");
        }

        // After the last kill: restart, re-send what was in flight, and compare with every span the test sent.
        await using (var server = await ServerProcess.StartAsync(folder.DataDirectory))
        {
            await AssertAcknowledgedPresentAndFiguresExactAsync(server, exact: false);
            using var http = server.Api();
            while (_unacknowledged.TryDequeue(out var batch))
            {
                var response = await http.IngestAsync(batch);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                foreach (var span in batch)
                    _acknowledged.Add((string)span["id"]!);
            }
            Assert.Equal(_sent.Count, _acknowledged.Count);
            await AssertAcknowledgedPresentAndFiguresExactAsync(server, exact: true);
            Assert.Equal("ok", Database.IntegrityCheck(folder.DataDirectory));
            Assert.Equal(_sent.Count, Database.CountSpans(folder.DataDirectory));
        }
        output.WriteLine($"{Kills} kills, {_sent.Count:N0} spans sent, 0 acknowledged spans lost; integrity_check ok");
    }

    private async Task RunClientAsync(ServerProcess server, CancellationToken stop)
    {
        using var http = server.Api(timeout: TimeSpan.FromSeconds(60));
        while (!stop.IsCancellationRequested)
        {
            List<JsonObject> batch;
            lock (_unacknowledged)
                batch = _unacknowledged.TryDequeue(out var retry) ? retry : NewBatch();
            bool acknowledged;
            try
            {
                var response = await http.IngestAsync(batch);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"ingest answered {(int)response.StatusCode}");
                acknowledged = true;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                acknowledged = false; // the server died with this request in flight: its spans may or may not be stored
            }
            lock (_unacknowledged)
            {
                if (acknowledged)
                    foreach (var span in batch)
                        _acknowledged.Add((string)span["id"]!);
                else
                    _unacknowledged.Enqueue(batch);
            }
            if (!acknowledged)
                return;
        }
    }

    /// <summary>New spans, plus one re-sent unchanged (an SDK retry whose answer was lost).</summary>
    private List<JsonObject> NewBatch()
    {
        var batch = new List<JsonObject>();
        for (var i = 0; i < SpansPerRequest; i++)
        {
            var n = _nextSpan++;
            var span = Spans.Llm($"k-{n}", sessionId: $"k-session-{n % Sessions}", traceId: $"k-trace-{n / 8}", userId: $"k-user-{n % 5}",
                inputTokens: 100 + n % 97, outputTokens: 10 + n % 31, costUsd: 0.000001m * (n % 1000 + 1), offsetMs: n * 7,
                status: n % 23 == 0 ? "error" : "ok");
            _sent[(string)span["id"]!] = span;
            batch.Add(span);
        }
        if (_acknowledged.Count > 0)
            batch.Add((JsonObject)_sent[_acknowledged.ElementAt(_nextSpan % _acknowledged.Count)].DeepClone());
        return batch;
    }

    /// <summary>
    /// Every acknowledged span is stored, and each session's maintained figures equal a recomputation from its raw spans
    /// (the timeline); when <paramref name="exact"/>, also from the spans the test sent.
    /// </summary>
    private async Task AssertAcknowledgedPresentAndFiguresExactAsync(ServerProcess server, bool exact)
    {
        using var http = server.Api();
        var stored = new HashSet<string>();
        for (var s = 0; s < Sessions; s++)
        {
            var id = $"k-session-{s}";
            var response = await http.GetAsync($"/api/v1/sessions/{id}");
            if (response.StatusCode == HttpStatusCode.NotFound)
                continue;
            var detail = (await response.ReadJsonAsync())!;
            var timeline = detail["timeline"]!.AsArray();
            foreach (var row in timeline)
                stored.Add((string)row!["spanId"]!);
            Assert.Equal(SessionFigures.FromTimeline(timeline), SessionFigures.FromSummary(detail["session"]!));
            if (exact)
                Assert.Equal(SessionFigures.FromSpans(_sent.Values.Where(v => (string)v["sessionId"]! == id)), SessionFigures.FromSummary(detail["session"]!));
        }
        var lost = _acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged spans lost, e.g. {string.Join(", ", lost.Take(5))}");

        var stats = await http.GetJsonAsync("/api/v1/sessions/stats");
        Assert.Equal(stored.Count, (long)stats["totalTurns"]!);
        if (exact)
        {
            Assert.Equal(_sent.Values.Sum(s => (decimal)s["costUsd"]!), (decimal)stats["totalCostUsd"]!);
            var models = await http.GetJsonAsync("/api/v1/costs/models");
            Assert.Equal(_sent.Count, (long)models["data"]![0]!["calls"]!);
            Assert.Equal(_sent.Values.Sum(s => (long)s["usage"]!["outputTokens"]!), (long)models["data"]![0]!["outputTokens"]!);
        }
    }
}
