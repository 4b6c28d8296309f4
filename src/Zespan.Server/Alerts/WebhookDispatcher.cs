using Zespan.Core.Alerts;

namespace Zespan.Server.Alerts;

/// <summary>
/// Sends the outbox: claims due deliveries (so no other server sends them meanwhile), POSTs each, and logs the answer,
/// scheduling the next attempt by <see cref="RetrySchedule"/> until one succeeds or the last fails. The outbox is in the
/// database, so deliveries queued before a restart are sent after it.
/// </summary>
public sealed class WebhookDispatcher(IAlertStore alerts, WebhookSender sender, AlertOptions options, TimeProvider clock, DeliveryWakeUp wakeUp,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await SendDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Sending due webhook deliveries failed; they stay queued and are tried again.");
            }
            if (claimed == BatchSize)
                continue; // more may be due
            try { await wakeUp.WaitAsync(options.PollInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Claims and sends what is due now; returns how many were claimed.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var due = await alerts.ClaimDueAsync(now, now + (long)options.ClaimDuration.TotalMilliseconds, BatchSize, cancellationToken);
        await Task.WhenAll(due.Select(d => SendAsync(d, cancellationToken)));
        return due.Count;
    }

    private async Task SendAsync(DueDelivery delivery, CancellationToken cancellationToken)
    {
        var attempt = await sender.SendAsync(delivery, delivery.AttemptsSoFar + 1, cancellationToken);
        var next = attempt.Succeeded ? null : options.Retries.NextAttemptMs(attempt.Attempt, clock.GetUtcNow().ToUnixTimeMilliseconds());
        await alerts.RecordAttemptAsync(delivery.Id, attempt, next, CancellationToken.None);
        if (!attempt.Succeeded)
            logger.LogWarning("Webhook delivery {EventId} attempt {Attempt} failed: {Error}{Next}", delivery.EventId, attempt.Attempt,
                attempt.Error, next is null ? "; giving up" : "");
    }
}
