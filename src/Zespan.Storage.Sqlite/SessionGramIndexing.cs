using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The server's loop that keeps the gram index (migration 350) filled: a batch of pending search documents at a time
/// (SessionGramIndexer), straight on while batches come back full (the backlog after upgrading), else every
/// <see cref="Interval"/>. How far behind it is changes no answer, only how many documents a q= of one or two characters
/// LIKE-tests (about a second's new sessions).
/// </summary>
public sealed class SessionGramIndexing(SessionGramIndexer indexer, ILogger<SessionGramIndexing> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var cleared = 0;
            try
            {
                cleared = await indexer.IndexBatchAsync(SessionGramIndexer.BackgroundBatch, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Nothing is lost: the documents stay pending (and exact, LIKE-tested) until a later batch succeeds.
                logger.LogError(ex, "Indexing the session search grams failed; retrying in {Interval}.", Interval);
            }
            if (cleared == SessionGramIndexer.BackgroundBatch)
                continue;
            try { await Task.Delay(Interval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
