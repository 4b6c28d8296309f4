using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Zespan.Reliability.Tests.Infrastructure;

namespace Zespan.Reliability.Tests;

/// <summary>
/// Overload through a small queue (ZESPAN_INGEST_QUEUE_SPANS): every refusal is 429 or 503 with Retry-After and
/// problem+json, and once the clients have retried, every span is stored exactly once.
/// </summary>
public sealed class OverloadTests(OverloadTests.Server fixture, ITestOutputHelper output) : IClassFixture<OverloadTests.Server>
{
    public const int QueueSpans = 2_000;
    public const int TotalSpans = 40_000;
    private const int SpansPerRequest = 500;
    private const int Clients = 16;
    private const int Sessions = 40;

    public sealed class Server : ServerFixture
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["ZESPAN_INGEST_QUEUE_SPANS"] = QueueSpans.ToString() };
    }

    [Fact]
    public async Task OverloadedQueue_RefusesOnlyWithRetryAfter_ThenEveryRetriedSpanIsStoredOnce()
    {
        var batches = new ConcurrentQueue<List<JsonObject>>(Enumerable.Range(0, TotalSpans / SpansPerRequest).Select(b =>
            Enumerable.Range(b * SpansPerRequest, SpansPerRequest)
                .Select(n => Spans.Llm($"o-{n}", sessionId: $"o-session-{n % Sessions}", inputTokens: 50 + n % 13, outputTokens: 5, costUsd: 0.00001m, offsetMs: n))
                .ToList()));
        var statuses = new ConcurrentDictionary<int, int>();
        var refusalsWithoutRetryAfter = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            using var http = fixture.Server.Api();
            var resent = false;
            while (batches.TryDequeue(out var batch))
            {
                while (true)
                {
                    using var response = await http.IngestAsync(batch);
                    statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                    if (response.IsSuccessStatusCode)
                        break;
                    var delay = response.Headers.RetryAfter?.Delta;
                    if (delay is null || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        refusalsWithoutRetryAfter.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    // Honour Retry-After, a little shortened so the test stays short; jitter spreads the clients.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min((delay ?? TimeSpan.FromSeconds(1)).TotalMilliseconds, 1000) * Random.Shared.Next(20, 100) / 100));
                }
                // One client re-sends an acknowledged batch, as an SDK does when the answer is lost: still stored once.
                if (client == 0 && !resent)
                {
                    resent = true;
                    batches.Enqueue(batch);
                }
            }
        }));

        output.WriteLine($"{TotalSpans:N0} spans in requests of {SpansPerRequest} through a {QueueSpans:N0}-span queue, {Clients} clients: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} × {s.Key}")));
        Assert.Empty(refusalsWithoutRetryAfter);
        Assert.All(statuses.Keys, status => Assert.Contains(status, new[] { 200, 429, 503 }));
        Assert.True(statuses.GetValueOrDefault(429) + statuses.GetValueOrDefault(503) > 0, "the queue never overflowed: the test did not overload the server");

        using var reader = fixture.Server.Api();
        var stats = await reader.GetJsonAsync("/api/v1/sessions/stats");
        Assert.Equal(TotalSpans, (long)stats["totalTurns"]!);
        Assert.Equal(Sessions, (long)stats["sessions"]!);
        Assert.Equal(TotalSpans * 0.00001m, (decimal)stats["totalCostUsd"]!);
        var page = await reader.GetJsonAsync($"/api/v1/sessions?limit={Sessions}");
        Assert.All(page["data"]!.AsArray(), s => Assert.Equal(TotalSpans / Sessions, (int)s!["turns"]!));
        Assert.Equal(TotalSpans, Database.CountSpans(fixture.DataDirectory));
    }
}
