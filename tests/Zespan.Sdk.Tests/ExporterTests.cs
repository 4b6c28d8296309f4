using System.Diagnostics;
using System.Text.Json.Nodes;
using ZespanSdk.Tests.Fakes;

namespace ZespanSdk.Tests;

/// <summary>Background export against a fake ingest endpoint that fails, rejects and stalls on request.</summary>
public sealed class ExporterTests
{
    private static void RecordSpans(ZespanTracer tracer, int count, string session)
    {
        using (Zespan.Context(sessionId: session))
        {
            for (int i = 0; i < count; i++)
            {
                using SpanScope span = tracer.StartSpan($"work-{i}");
            }
        }
    }

    [Fact]
    public async Task Spans_AreDeliveredInBatches_WithTheApiKey()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        await using var tracer = new ZespanTracer(ingest.Options(o => o.MaxBatchSize = 10));

        RecordSpans(tracer, 35, "batched");
        await tracer.FlushAsync();

        Assert.Equal(35, ingest.Spans.Count);
        Assert.All(ingest.Attempts, a => Assert.True(a.SpanIds.Length <= 10));
        Assert.True(ingest.Attempts.Count >= 4);
        Assert.Equal(new ExportStatistics(0, 35, 0, 0, 0), tracer.Statistics);
    }

    [Fact]
    public async Task FlushAt_QueuedSpans_AreSentWithoutWaitingForTheInterval()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        await using var tracer = new ZespanTracer(ingest.Options(o =>
        {
            o.FlushInterval = TimeSpan.FromMinutes(5);
            o.FlushAt = 5;
        }));

        RecordSpans(tracer, 5, "flush-at");
        var waited = Stopwatch.StartNew();
        while (ingest.Spans.Count < 5 && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        Assert.Equal(5, ingest.Spans.Count);
    }

    [Fact]
    public void Defaults_AreTheSpecs()
    {
        var options = new ZespanOptions();
        Assert.Equal((20, 100, 10_000, 10), (options.FlushAt, options.MaxBatchSize, options.MaxQueueSize, options.MaxRetries));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)),
            (options.FlushInterval, options.RequestTimeout, options.ShutdownTimeout));
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.InitialRetryDelay);
        Assert.Throws<ArgumentException>(() => ZespanSettings.Resolve(new ZespanOptions { FlushAt = 0 }));
    }

    [Fact]
    public async Task ServerError_IsRetried_WithTheSameSpanIds_HonouringRetryAfter()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        ingest.FailNext(2, 503, retryAfter: "1");
        await using var tracer = new ZespanTracer(ingest.Options());

        RecordSpans(tracer, 3, "retry");
        await tracer.FlushAsync();

        IngestAttempt[] attempts = ingest.Attempts.ToArray();
        Assert.Equal(3, attempts.Length);
        Assert.Equal([503, 503, 200], attempts.Select(a => a.Status));
        Assert.All(attempts, a => Assert.Equal(attempts[0].SpanIds, a.SpanIds));
        // Backoff alone would wait ~20-40ms; Retry-After asked for a second each time.
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(900));
        Assert.True(attempts[2].At - attempts[1].At >= TimeSpan.FromMilliseconds(900));
        Assert.Equal(3, ingest.Spans.Count);
    }

    [Fact]
    public async Task TooManyRequests_IsRetried()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        ingest.FailNext(1, 429, retryAfter: "0");
        await using var tracer = new ZespanTracer(ingest.Options());

        RecordSpans(tracer, 2, "429");
        await tracer.FlushAsync();

        Assert.Equal([429, 200], ingest.Attempts.Select(a => a.Status));
        Assert.Equal(2, ingest.Spans.Count);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(413)]
    public async Task ClientError_IsNotRetried_AndIsReportedInDebugMode(int status)
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        ingest.FailNext(1, status);
        var log = new List<string>();
        await using var tracer = new ZespanTracer(ingest.Options(o =>
        {
            o.Debug = true;
            o.DebugLog = m => { lock (log) { log.Add(m); } };
        }));

        RecordSpans(tracer, 2, "4xx");
        await tracer.FlushAsync();

        Assert.Single(ingest.Attempts);
        Assert.Equal(2, tracer.Statistics.RejectedByServer);
        lock (log)
        {
            Assert.Contains(log, m => m.Contains(status.ToString(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task WrongApiKey_IsNotRetried()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        await using var tracer = new ZespanTracer(ingest.Options(o => o.ApiKey = "zsp_wrong_key_000000000000"));

        RecordSpans(tracer, 1, "401");
        await tracer.FlushAsync();

        Assert.Equal([401], ingest.Attempts.Select(a => a.Status));
        Assert.Equal(1, tracer.Statistics.RejectedByServer);
    }

    [Fact]
    public async Task PartialRejection_DropsOnlyTheNamedItems()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        ingest.Reject = span => span["name"]!.GetValue<string>() == "work-1";
        await using var tracer = new ZespanTracer(ingest.Options());

        RecordSpans(tracer, 3, "207");
        await tracer.FlushAsync();

        Assert.Equal([207], ingest.Attempts.Select(a => a.Status));
        Assert.Equal(["work-0", "work-2"], ingest.Spans.Values.Select(s => s["name"]!.GetValue<string>()).Order());
        Assert.Equal(new ExportStatistics(0, 2, 0, 0, 1), tracer.Statistics);
    }

    [Fact]
    public async Task FullQueue_DropsAndCounts_WithoutBlocking()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        ingest.Delay = TimeSpan.FromSeconds(1);
        await using var tracer = new ZespanTracer(ingest.Options(o =>
        {
            o.MaxQueueSize = 10;
            o.MaxBatchSize = 5;
        }));

        var watch = Stopwatch.StartNew();
        RecordSpans(tracer, 200, "full");
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"recording 200 spans took {watch.Elapsed}");
        await tracer.FlushAsync();
        ExportStatistics stats = tracer.Statistics;
        Assert.True(stats.DroppedQueueFull >= 200 - 10 - 5, $"dropped {stats.DroppedQueueFull}");
        Assert.Equal(200, stats.Delivered + stats.DroppedQueueFull);
        Assert.Equal(stats.Delivered, ingest.Spans.Count);
    }

    [Fact]
    public async Task UnreachableServer_GivesUpAfterRetries_AndCounts()
    {
        await using var tracer = new ZespanTracer(new ZespanOptions
        {
            ApiKey = FakeIngestServer.ApiKey,
            BaseUrl = "http://127.0.0.1:9", // discard port: connection refused
            FlushInterval = TimeSpan.FromMilliseconds(20),
            InitialRetryDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetries = 2,
        });

        RecordSpans(tracer, 4, "gone");
        await tracer.FlushAsync();

        Assert.Equal(new ExportStatistics(0, 0, 0, 4, 0), tracer.Statistics);
    }

    [Fact]
    public async Task Dispose_DeliversEverythingQueued()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        var tracer = new ZespanTracer(ingest.Options(o => o.FlushInterval = TimeSpan.FromSeconds(30)));

        RecordSpans(tracer, 250, "dispose");
        await tracer.DisposeAsync();

        Assert.Equal(250, ingest.Spans.Count);
        Assert.False(tracer.IsRecording);
    }

    [Fact]
    public async Task SpansRecordedAfterDispose_AreDroppedQuietly()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        var tracer = new ZespanTracer(ingest.Options());
        await tracer.DisposeAsync();

        RecordSpans(tracer, 3, "late");

        Assert.Empty(ingest.Spans);
    }

    [Fact]
    public async Task Batch_UsesTheContractShape()
    {
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        await using var tracer = new ZespanTracer(ingest.Options());

        using (Zespan.Context(userId: "u", sessionId: "shape", tags: ["t1"], metadata: new Dictionary<string, object?> { ["feature"] = "x", ["n"] = 3 }))
        using (SpanScope span = tracer.StartSpan("shaped"))
        {
            span.SetMetadata("extra", true).SetError("went wrong");
        }
        await tracer.FlushAsync();

        JsonObject sent = Assert.Single(ingest.Spans.Values);
        Assert.Equal("span", sent["kind"]!.GetValue<string>());
        Assert.Equal("error", sent["status"]!.GetValue<string>());
        Assert.Equal("went wrong", sent["error"]!.GetValue<string>());
        Assert.Equal("u", sent["userId"]!.GetValue<string>());
        Assert.Equal(3, sent["metadata"]!["n"]!.GetValue<int>());
        Assert.True(sent["metadata"]!["extra"]!.GetValue<bool>());
        Assert.Matches("^[0-9a-f]{32}$", sent["traceId"]!.GetValue<string>());
    }

    [Fact]
    public void InvalidBaseUrl_FailsAtStartup_NamingTheSetting()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new ZespanTracer(new ZespanOptions { ApiKey = "zsp_x", BaseUrl = "not a url" }));
        Assert.Contains("Zespan:BaseUrl", error.Message);
    }
}
