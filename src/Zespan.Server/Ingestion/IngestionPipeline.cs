using System.Threading.Channels;
using Zespan.Core.Storage;
using Zespan.Server.Configuration;

namespace Zespan.Server.Ingestion;

/// <summary>What became of spans handed to the pipeline.</summary>
public enum WriteOutcome { Durable, Overloaded, StorageFailed }

/// <summary>
/// A bounded in-process queue in front of the single SQLite writer. Requests wait for their own spans to be committed
/// (so a 2xx means durable), while the writer commits spans of many concurrent requests in one transaction (group commit):
/// the fsync cost is shared instead of paid per request. When more spans are waiting than the queue allows, new requests
/// are refused at once (429) instead of piling up memory. A batch whose long session is rebuilt outside the writer
/// (ISpanWriter.WriteCommittedAsync) is answered when that is done, while the next batch is written.
/// </summary>
public sealed class IngestionPipeline : BackgroundService
{
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ISpanWriter _writer;
    private readonly ZespanServerOptions _options;
    private readonly ILogger<IngestionPipeline> _logger;
    private readonly ICommitListener[] _listeners;
    private long _queuedSpans;

    public IngestionPipeline(ISpanWriter writer, ZespanServerOptions options, ILogger<IngestionPipeline> logger, IEnumerable<ICommitListener> listeners)
    {
        _writer = writer;
        _options = options;
        _logger = logger;
        _listeners = listeners.ToArray();
    }

    /// <summary>Spans accepted but not yet committed.</summary>
    public long QueuedSpans => Interlocked.Read(ref _queuedSpans);

    public async Task<WriteOutcome> WriteAsync(IReadOnlyList<ProjectSpan> spans)
    {
        if (spans.Count == 0)
            return WriteOutcome.Durable;
        if (Interlocked.Add(ref _queuedSpans, spans.Count) > _options.IngestQueueSpans && QueuedSpans != spans.Count)
        {
            Interlocked.Add(ref _queuedSpans, -spans.Count);
            return WriteOutcome.Overloaded;
        }
        var pending = new PendingWrite(spans);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _queuedSpans, -spans.Count);
            return WriteOutcome.StorageFailed; // the host is shutting down
        }
        return await pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var finishing = new List<Task>();
        // Keep writing until the queue is completed and drained, so accepted spans are not dropped at shutdown.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            var group = new List<PendingWrite>();
            var spans = new List<ProjectSpan>();
            while (spans.Count < _options.MaxSpansPerTransaction && _queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
                spans.AddRange(pending.Spans);
            }
            Task rest;
            try
            {
                rest = await _writer.WriteCommittedAsync(spans, CancellationToken.None);
            }
            catch (Exception ex)
            {
                rest = Task.FromException(ex);
            }
            // The spans are durable (or refused); a long session's rebuild may still run outside the writer. The requests
            // are answered when it is done, so a read after the 2xx sees it — but the next batch is written meanwhile.
            if (rest.IsCompleted)
                await FinishAsync(rest, group, spans);
            else
            {
                finishing.RemoveAll(task => task.IsCompleted);
                finishing.Add(FinishAsync(rest, group, spans));
            }
        }
        await Task.WhenAll(finishing);
    }

    private async Task FinishAsync(Task rest, List<PendingWrite> group, List<ProjectSpan> spans)
    {
        var outcome = WriteOutcome.Durable;
        try
        {
            await rest;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Writing {Count} spans failed; their requests get 503 and clients will retry.", spans.Count);
            outcome = WriteOutcome.StorageFailed;
        }
        if (outcome == WriteOutcome.Durable)
        {
            foreach (var listener in _listeners)
                listener.Committed(spans);
        }
        Interlocked.Add(ref _queuedSpans, -spans.Count);
        foreach (var pending in group)
            pending.Done.TrySetResult(outcome);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private sealed record PendingWrite(IReadOnlyList<ProjectSpan> Spans)
    {
        public TaskCompletionSource<WriteOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
