using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Server.Retention;

/// <summary>What one retention run removed. <paramref name="Skipped"/>: another server holds the lease over this data.</summary>
public sealed record RetentionRunResult(DateTimeOffset RanAt, long SpansDeleted, int ProjectsChecked, bool Skipped = false);

/// <summary>
/// Removes spans older than their organisation's plan window (Free 14 days … Scale 365), every hour and shortly after start.
/// The plan is read on each run, so a shorter plan applies at the next run and a longer one keeps whatever still exists.
/// Deletion happens in small transactions (see <see cref="IRetentionStore"/>) so ingestion is never blocked for long.
/// Several servers over the same spans (one shared telemetry store, or one SQLite folder) never delete twice: a run
/// needs the control plane's lease on that data (<see cref="IRetentionStore.DataScopeAsync"/>), which the holder renews
/// each run and gives up when it stops; a server that dies loses it after two intervals.
/// </summary>
public sealed class RetentionWorker(
    IOrganizationStore organizations, IProjectStore projects, IRetentionStore retention, ILeaseStore leases, TimeProvider clock,
    RetentionSchedule schedule, ILogger<RetentionWorker> logger) : BackgroundService
{
    private readonly SemaphoreSlim _oneRunAtATime = new(1, 1);
    private readonly HeldLease _lease = new(leases, "Retention", schedule.Interval * 2, logger);
    private string? _leaseName;

    /// <summary>Runs retention once for every project, against the clock's current time. Runs never overlap.</summary>
    public async Task<RetentionRunResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _oneRunAtATime.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow();
            _leaseName ??= "retention:" + await retention.DataScopeAsync(cancellationToken);
            if (!await _lease.RenewAsync(_leaseName, cancellationToken))
                return new RetentionRunResult(now, 0, 0, Skipped: true);
            var plans = (await organizations.ListAsync(cancellationToken)).ToDictionary(o => o.Id, o => o.Plan);
            long deleted = 0;
            var checkedProjects = 0;
            foreach (var project in await projects.ListProjectsAsync(cancellationToken))
            {
                if (!plans.TryGetValue(project.OrganizationId, out var plan))
                    continue;
                // A long run keeps the lease alive between projects, so nobody takes over half-way.
                if (checkedProjects > 0 && !await _lease.RenewAsync(_leaseName, cancellationToken))
                    break;
                var cutoff = now - PlanRetention.Window(plan);
                deleted += await retention.DeleteSpansStartedBeforeAsync(project.Id, cutoff.ToUnixTimeMilliseconds(), schedule.BatchSize, cancellationToken);
                checkedProjects++;
            }
            if (deleted > 0)
                logger.LogInformation("Retention removed {Spans} spans older than their plan's window across {Projects} projects.", deleted, checkedProjects);
            return new RetentionRunResult(now, deleted, checkedProjects);
        }
        finally
        {
            _oneRunAtATime.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(schedule.FirstRunAfter, clock, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // A failed run (disk full, locked file) must not stop later runs; the next one retries the same work.
                    logger.LogError(error, "Retention run failed; it will be retried at the next run.");
                }
                await Task.Delay(schedule.Interval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Gives the lease up on shutdown, so another server takes retention over at its next run instead of waiting for expiry.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _lease.ReleaseAsync(cancellationToken);
    }
}
