using System.Diagnostics;
using System.Threading.Channels;
using ZespanSdk.Spans;

namespace ZespanSdk.Export;

/// <summary>
/// Background delivery of spans. The app only ever does a non-blocking enqueue; one loop batches, sends,
/// retries with backoff and gives up on its own, so a slow or absent server costs the app nothing but memory,
/// and that memory is bounded by the queue size.
/// </summary>
internal sealed class SpanExporter : IAsyncDisposable
{
    private readonly ZespanSettings _settings;
    private readonly IngestClient _client;
    private readonly Channel<SpanRecord> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly FlushWaiters _flushWaiters = new();
    private readonly Task _loop;
    private TaskCompletionSource _wake = NewWake();

    private long _enqueued;
    private long _settled;
    private long _delivered;
    private long _droppedQueueFull;
    private long _droppedAfterRetries;
    private long _rejected;
    private int _closed;

    public SpanExporter(ZespanSettings settings, string apiKey)
    {
        _settings = settings;
        _client = new IngestClient(settings.IngestUri, apiKey, settings.RequestTimeout, settings.HttpMessageHandler);
        _queue = Channel.CreateBounded<SpanRecord>(new BoundedChannelOptions(settings.MaxQueueSize)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite this means "refuse", which we count
        });
        _loop = Task.Run(RunAsync);
    }

    public ExportStatistics Statistics => new(
        Pending: Math.Max(0, Interlocked.Read(ref _enqueued) - Interlocked.Read(ref _settled)),
        Delivered: Interlocked.Read(ref _delivered),
        DroppedQueueFull: Interlocked.Read(ref _droppedQueueFull),
        DroppedAfterRetries: Interlocked.Read(ref _droppedAfterRetries),
        RejectedByServer: Interlocked.Read(ref _rejected));

    /// <summary>Never blocks and never throws: a full queue or a closed exporter drops the span and counts it.</summary>
    public void Enqueue(SpanRecord span)
    {
        if (Volatile.Read(ref _closed) == 0 && _queue.Writer.TryWrite(span))
        {
            Interlocked.Increment(ref _enqueued);
            return;
        }

        long dropped = Interlocked.Increment(ref _droppedQueueFull);
        if (dropped == 1 || dropped % 1000 == 0)
        {
            Log($"span queue full or closed: {dropped} span(s) dropped so far");
        }
    }

    /// <summary>Completes when every span enqueued before the call is delivered, rejected or given up on.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        long target = Interlocked.Read(ref _enqueued);
        if (Interlocked.Read(ref _settled) >= target)
        {
            return Task.CompletedTask;
        }

        Task waiter = _flushWaiters.Add(target, cancellationToken);
        _flushWaiters.ReleaseUpTo(Interlocked.Read(ref _settled));
        Volatile.Read(ref _wake).TrySetResult();
        return waiter;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        using (var shutdown = new CancellationTokenSource(_settings.ShutdownTimeout))
        {
            try
            {
                await FlushAsync(shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log($"shutdown timeout ({_settings.ShutdownTimeout.TotalSeconds:0.#}s) reached with {Statistics.Pending} span(s) undelivered");
            }
        }

        _stopping.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Whatever is still queued will never be sent; count it so the statistics add up.
        while (_queue.Reader.TryRead(out _))
        {
            Settle(1);
            Interlocked.Increment(ref _droppedAfterRetries);
        }
        _client.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var batch = new List<SpanRecord>(_settings.MaxBatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                batch.Clear();
                await FillBatchAsync(batch).ConfigureAwait(false);
                if (batch.Count > 0)
                {
                    await DeliverAsync(batch).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A bug here must not take the app down; it only ends export.
            Log($"export loop stopped: {ex}");
        }
    }

    /// <summary>
    /// Gathers spans until FlushAt are there (up to MaxBatchSize are taken), the flush interval has passed since the first
    /// one, or someone flushes.
    /// </summary>
    private async Task FillBatchAsync(List<SpanRecord> batch)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(_settings.FlushInterval.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            while (batch.Count < _settings.MaxBatchSize && _queue.Reader.TryRead(out SpanRecord? span))
            {
                batch.Add(span);
            }

            TaskCompletionSource wake = Volatile.Read(ref _wake);
            TimeSpan remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (batch.Count >= _settings.MaxBatchSize || batch.Count >= _settings.FlushAt || _flushWaiters.Any || Volatile.Read(ref _closed) != 0
                || remaining <= TimeSpan.Zero || _stopping.IsCancellationRequested)
            {
                return;
            }

            using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            waitCancellation.CancelAfter(remaining);
            Task<bool> moreData = _queue.Reader.WaitToReadAsync(waitCancellation.Token).AsTask();
            await Task.WhenAny(moreData, wake.Task).ConfigureAwait(false);
            waitCancellation.Cancel();
            try
            {
                await moreData.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            if (wake.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _wake, NewWake(), wake);
            }
        }
    }

    private async Task DeliverAsync(List<SpanRecord> batch)
    {
        try
        {
            byte[] body = IngestJson.SerializeBatch(batch);
            for (int attempt = 0; ; attempt++)
            {
                IngestOutcome outcome = await _client.SendAsync(body, _stopping.Token).ConfigureAwait(false);
                switch (outcome.Kind)
                {
                    case IngestOutcomeKind.Delivered:
                        Interlocked.Add(ref _delivered, batch.Count - outcome.RejectedItems.Count);
                        Interlocked.Add(ref _rejected, outcome.RejectedItems.Count);
                        foreach (string rejected in outcome.RejectedItems)
                        {
                            Log($"server rejected span {rejected}");
                        }
                        return;

                    case IngestOutcomeKind.Rejected:
                        Interlocked.Add(ref _rejected, batch.Count);
                        Log($"server refused a batch of {batch.Count} span(s), not retrying: {outcome.Problem}");
                        return;

                    default:
                        if (attempt >= _settings.MaxRetries)
                        {
                            Interlocked.Add(ref _droppedAfterRetries, batch.Count);
                            Log($"giving up on a batch of {batch.Count} span(s) after {attempt + 1} attempts: {outcome.Problem}");
                            return;
                        }
                        TimeSpan delay = RetryDelay.Compute(attempt, _settings.InitialRetryDelay, _settings.MaxRetryDelay, outcome.RetryAfter);
                        Log($"ingest attempt {attempt + 1} failed ({outcome.Problem}); retrying in {delay.TotalMilliseconds:0}ms");
                        await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            Interlocked.Add(ref _droppedAfterRetries, batch.Count);
        }
        catch (Exception ex)
        {
            Interlocked.Add(ref _droppedAfterRetries, batch.Count);
            Log($"could not export a batch of {batch.Count} span(s): {ex.Message}");
        }
        finally
        {
            Settle(batch.Count);
        }
    }

    private void Settle(int count)
    {
        long settled = Interlocked.Add(ref _settled, count);
        _flushWaiters.ReleaseUpTo(settled);
    }

    private void Log(string message)
    {
        try
        {
            _settings.DebugLog?.Invoke("[zespan] " + message);
        }
        catch
        {
            // A broken log sink must not break export.
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
