using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;

namespace Zespan.DataGen;

/// <summary>
/// Posts batches to POST /api/v1/ingest with several requests in flight, like many SDK instances would.
/// Retries 429/5xx and network errors with backoff, honouring Retry-After; any other refusal stops the run with the server's answer.
/// </summary>
public sealed class HttpIngestSink(Uri baseUrl, string apiKey, int concurrency)
{
    public async Task<long> SendAsync(ChannelReader<SpanBatch> batches, ProgressBar progress, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromMinutes(2),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        long accepted = 0;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var batch in batches.ReadAllAsync(cancellationToken))
            {
                if (batch.Spans.Count > 0)
                    Interlocked.Add(ref accepted, await PostWithRetryAsync(http, IngestJson.Batch(batch.Spans), cancellationToken));
                progress.Advance(batch.SessionsCompleted, batch.Spans.Count);
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(workers);
        return accepted;
    }

    /// <summary>Posts one ready body; returns the number of accepted spans.</summary>
    public static async Task<int> PostWithRetryAsync(HttpClient http, byte[] body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan delay;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("api/v1/ingest", content, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.MultiStatus)
                {
                    if (response.StatusCode == HttpStatusCode.MultiStatus)
                        Console.Error.WriteLine($"\nSome spans were refused: {text}");
                    return ParseAccepted(text);
                }
                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError))
                    throw new InvalidOperationException($"Ingest refused with {(int)response.StatusCode}: {text}");
                delay = response.Headers.RetryAfter?.Delta ?? Backoff(attempt);
            }
            catch (HttpRequestException) when (attempt < 8)
            {
                delay = Backoff(attempt);
            }
            if (attempt >= 8)
                throw new InvalidOperationException("Ingest kept failing after 8 retries; is the server running?");
            await Task.Delay(delay, cancellationToken);
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(10_000, 100 * Math.Pow(2, attempt)) * (0.5 + Random.Shared.NextDouble()));

    private static int ParseAccepted(string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("accepted").GetInt32();
    }
}
