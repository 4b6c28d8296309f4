using System.Net;
using Xunit.Abstractions;
using Zespan.Reliability.Tests.Infrastructure;

namespace Zespan.Reliability.Tests;

/// <summary>
/// Memory is bounded by the bytes in flight, not by the number of clients: many clients each sending a 10 MB body at once
/// get 2xx or 429 with Retry-After, and the server's peak resident memory stays under a bound.
/// </summary>
public sealed class MemoryBoundTests(MemoryBoundTests.Server fixture, ITestOutputHelper output) : IClassFixture<MemoryBoundTests.Server>
{
    /// <summary>The target: RSS ≤ 1 GB with 200 concurrent 10 MB bodies (measured with 200 by bench ingest-memory; 120 here to keep the suite short).</summary>
    public const long PeakResidentBound = 1L << 30;

    public sealed class Server : ServerFixture
    {
        public LargeBody Body { get; } = new(9_900_000);
    }

    [Theory]
    [InlineData(120, true)]
    [InlineData(40, false)]
    public async Task ManyConcurrentLargeBodies_AnswerOkOr429_AndPeakRssStaysBounded(int clients, bool withContentLength)
    {
        var prefix = withContentLength ? "L" : "C";
        var body = fixture.Body;
        using var http = fixture.Server.Api(timeout: TimeSpan.FromMinutes(3));
        var before = await http.GetJsonAsync("/api/v1/sessions/stats");

        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            var code = $"{prefix}{i:000}";
            var content = body.Content(code);
            if (!withContentLength)
                content.Headers.ContentLength = null; // chunked: the server reserves budget as it reads
            using var response = await http.PostAsync("/api/v1/ingest", content);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            var problem = await response.ReadJsonAsync();
            return (Code: code, Status: response.StatusCode, RetryAfter: retryAfter, Detail: (string?)problem?["detail"]);
        }));

        var peak = fixture.Server.PeakResidentBytes();
        var accepted = results.Where(r => r.Status == HttpStatusCode.OK).ToList();
        var refused = results.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        output.WriteLine($"{clients} clients × {body.Length:N0} bytes ({body.SpanCount:N0} spans), Content-Length {withContentLength}: " +
            $"{accepted.Count} accepted, {refused.Count} refused with 429; server peak RSS {peak / 1048576.0:N0} MiB");

        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{r.Code}: {(int)r.Status} {r.Detail}"));
        Assert.All(refused, r => Assert.True(r.RetryAfter > TimeSpan.Zero, $"{r.Code}: 429 without Retry-After"));
        Assert.All(refused, r => Assert.Contains("Retry", r.Detail));
        Assert.NotEmpty(accepted);
        Assert.True(peak <= PeakResidentBound, $"server peak RSS {peak / 1048576.0:N0} MiB exceeds {PeakResidentBound / 1048576} MiB");

        // Every accepted body is stored whole; nothing of a refused one is.
        var after = await http.GetJsonAsync("/api/v1/sessions/stats");
        Assert.Equal((long)before["totalTurns"]! + accepted.Count * (long)body.SpanCount, (long)after["totalTurns"]!);
        var sample = refused.Count > 0 ? refused[0].Code : null;
        if (sample is not null)
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/sessions/{sample}-s0")).StatusCode);
        var stored = await http.GetJsonAsync($"/api/v1/sessions/{accepted[0].Code}-s0");
        Assert.Equal((body.SpanCount + body.SessionCount - 1) / body.SessionCount, (int)stored["session"]!["turns"]!);
    }
}
