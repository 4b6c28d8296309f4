using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Zespan.Core.Storage;
using Zespan.Storage.Sqlite;

namespace Zespan.Server.Tests;

/// <summary>When more spans wait to be written than ZESPAN_INGEST_QUEUE_SPANS allows, ingestion answers 429 with Retry-After.</summary>
public sealed class BackpressureTests
{
    /// <summary>The real SQLite writer behind a gate the test opens, to hold writes in flight.</summary>
    private sealed class GatedSpanWriter(ISpanWriter inner) : ISpanWriter
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task WriteAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Gate.Task;
            await inner.WriteAsync(spans, cancellationToken);
        }
    }

    [Fact]
    public async Task Ingest_QueueFull_Gets429WithRetryAfter_AndStoresNothingOfThatRequest()
    {
        GatedSpanWriter? gated = null;
        using var app = new ZespanApp
        {
            ConfigureServices = services => services.AddSingleton<ISpanWriter>(sp => gated = new GatedSpanWriter(sp.GetRequiredService<SqliteStorage>().SpanWriter)),
        };
        app.Settings["ZESPAN_INGEST_QUEUE_SPANS"] = "5";
        var client = app.ClientWithKey();

        // Four spans enter the writer and are held there; they still count as queued until committed.
        var held = client.IngestAsync(Api.Batch(Enumerable.Range(0, 4).Select(i => Api.Span($"held-{i}", sessionId: "held-conv")).ToArray()));
        await gated!.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var refused = await client.IngestAsync(Api.Batch(Api.Span("refused-1", sessionId: "refused-conv"), Api.Span("refused-2", sessionId: "refused-conv")));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After missing");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Retry", (string)(await refused.ReadJsonAsync())["detail"]!);
        // One more span still fits.
        var fits = client.IngestAsync(Api.Batch(Api.Span("fits-1", sessionId: "fits-conv")));

        gated.Gate.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fits).StatusCode);
        Assert.Equal(4, (int)(await client.GetJsonAsync("/api/v1/sessions/held-conv"))["session"]!["turns"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/sessions/refused-conv")).StatusCode);

        // Once drained, the same request is accepted.
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch(Api.Span("refused-1", sessionId: "refused-conv")))).StatusCode);
    }
}
