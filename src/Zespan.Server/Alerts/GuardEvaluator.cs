using Zespan.Core.Alerts;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Server.Ingestion;

namespace Zespan.Server.Alerts;

/// <summary>
/// Evaluates the guard rules of every session the writer just committed spans for, from the stored figures (the same the
/// sessions list and stats show), so re-sent spans count once and a late span counts where it belongs. A rule fires when
/// the figure is strictly above its threshold; the firing is recorded in the control plane, unique per rule and subject,
/// which is what keeps re-evaluations, restarts and other servers from firing it again.
/// Which sessions to evaluate comes from the telemetry store's <see cref="IGuardQueue"/> when it has one: written in the
/// spans' own transaction and emptied only after evaluation, so a crossing committed just before a crash (or whose
/// evaluation failed) is evaluated at the next start, or at the next sweep (<see cref="SweepInterval"/>). Without one,
/// from the commits this process saw.
/// </summary>
public sealed class GuardEvaluator(
    IAlertStore alerts, ISessionReader sessions, IServiceProvider services, TimeProvider clock, DeliveryWakeUp wakeUp, ILogger<GuardEvaluator> logger)
    : BackgroundService, ICommitListener
{
    /// <summary>How often the pending sessions are read when no commit woke the guard (after a failed evaluation, say).</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);
    private const int SweepBatch = 500;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private HashSet<(long ProjectId, string SessionId)> _touched = [];

    /// <summary>Notes the sessions of committed spans; evaluation runs on this service's own loop.</summary>
    public void Committed(IReadOnlyList<ProjectSpan> spans)
    {
        var added = false;
        lock (_lock)
        {
            foreach (var span in spans)
            {
                if (span.Span.SessionId is { } sessionId)
                    added |= _touched.Add((span.ProjectId, sessionId));
            }
        }
        // Wake the loop for every commit with a session, not only for a session new to the set: the sweep loop clears
        // the set after a sweep, so a second commit of a session during that sweep added nothing and its crossing
        // waited for the 30 s sweep (a webhook test timed out at 20 s under load).
        if ((added || spans.Any(s => s.Span.SessionId is not null)) && _signal.CurrentCount == 0)
            _signal.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IGuardQueue>() is { } queue)
        {
            await SweepLoopAsync(queue, stoppingToken);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await _signal.WaitAsync(stoppingToken); }
            catch (OperationCanceledException) { return; }
            HashSet<(long ProjectId, string SessionId)> batch;
            lock (_lock)
            {
                batch = _touched;
                _touched = [];
            }
            foreach (var project in batch.GroupBy(t => t.ProjectId))
            {
                try
                {
                    await EvaluateProjectAsync(project.Key, project.Select(t => t.SessionId).ToList(), stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The next span of these sessions evaluates them again; nothing is recorded as fired that was not sent.
                    logger.LogError(ex, "Evaluating guard rules of project {ProjectId} failed.", project.Key);
                }
            }
        }
    }

    /// <summary>Evaluates the pending sessions at start, after every commit and every <see cref="SweepInterval"/>.</summary>
    private async Task SweepLoopAsync(IGuardQueue queue, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(queue, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Reading the sessions pending guard evaluation failed.");
            }
            lock (_lock)
                _touched.Clear(); // the queue holds them too
            try { await _signal.WaitAsync(SweepInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Evaluates every pending session, a batch at a time; an entry is removed only once its project was evaluated.</summary>
    public async Task SweepAsync(IGuardQueue queue, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var pending = await queue.PendingAsync(SweepBatch, cancellationToken);
            var done = new List<PendingGuardCheck>(pending.Count);
            foreach (var project in pending.GroupBy(p => p.ProjectId))
            {
                try
                {
                    await EvaluateProjectAsync(project.Key, project.Select(p => p.SessionId).Distinct().ToList(), cancellationToken);
                    done.AddRange(project);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Left pending: the next sweep evaluates them again. A firing is recorded once whatever happens.
                    logger.LogError(ex, "Evaluating guard rules of project {ProjectId} failed.", project.Key);
                }
            }
            await queue.DoneAsync(done, cancellationToken);
            if (pending.Count < SweepBatch || done.Count == 0)
                return;
        }
    }

    /// <summary>Evaluates the project's rules for these sessions now; public for tests that drive it directly.</summary>
    public async Task EvaluateProjectAsync(long projectId, IReadOnlyList<string> sessionIds, CancellationToken cancellationToken = default)
    {
        var rules = await alerts.ListRulesAsync(projectId, cancellationToken);
        if (rules.Count == 0)
            return;
        var userCosts = new Dictionary<(string User, long WindowMs), SessionStats>();
        foreach (var sessionId in sessionIds)
        {
            var detail = await sessions.GetAsync(projectId, sessionId, withPayloads: false, cancellationToken);
            if (detail is null)
                continue; // deleted by retention meanwhile
            var session = detail.Session;
            foreach (var rule in rules)
                await EvaluateAsync(rule, session, userCosts, cancellationToken);
        }
    }

    private async Task EvaluateAsync(AlertRule rule, SessionSummary session, Dictionary<(string, long), SessionStats> userCosts, CancellationToken cancellationToken)
    {
        var subject = new GuardSubject(session.SessionId, session.UserId);
        switch (rule.Kind)
        {
            case AlertKind.SessionCost when !session.CostUnknown && session.CostPico > rule.Threshold:
            case AlertKind.SessionTurns when session.Turns > rule.Threshold:
                await FireAsync(rule, "session:" + session.SessionId, subject, new GuardFigure(session.CostUnknown ? null : session.CostPico, session.Turns), cancellationToken);
                break;
            case AlertKind.SessionAnomalous when services.GetService<ISessionAnomalySource>() is { } detector:
                if (await detector.FlagAsync(rule.ProjectId, session.SessionId, cancellationToken) is { } flag)
                    await FireAsync(rule, "session:" + session.SessionId, subject, new GuardFigure(session.CostUnknown ? null : session.CostPico, session.Turns, Reason: flag.Reason), cancellationToken);
                break;
            case AlertKind.UserCost when session.UserId is { } user && rule.WindowMs is { } window:
                await EvaluateUserAsync(rule, session, user, window, userCosts, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// A user's cost in the window is the cost of their sessions that started in it (the sessions list's from= filter),
    /// read at evaluation time. A user fires at most once per window length: again only once the last firing is a full
    /// window old. The n-th firing's subject is "user:&lt;id&gt;#n", so two servers that both see a new crossing record one.
    /// </summary>
    private async Task EvaluateUserAsync(AlertRule rule, SessionSummary session, string user, long windowMs,
        Dictionary<(string, long), SessionStats> userCosts, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var windowStart = now - windowMs;
        if (!userCosts.TryGetValue((user, windowMs), out var stats))
        {
            stats = await sessions.StatsAsync(rule.ProjectId, new SessionFilter { UserId = user, FromMs = windowStart }, cancellationToken);
            userCosts[(user, windowMs)] = stats;
        }
        if (stats.TotalUnknown || stats.TotalCostPico <= rule.Threshold)
            return;
        var earlier = await alerts.UserFiringsAsync(rule.Id, user, cancellationToken);
        if (earlier.Count > 0 && earlier[^1].FiredMs > windowStart)
            return; // already fired for this user within the window
        await FireAsync(rule, $"user:{user}#{earlier.Count + 1}", new GuardSubject(session.SessionId, user, windowStart),
            new GuardFigure(stats.TotalCostPico, stats.TotalTurns, stats.Sessions), cancellationToken);
    }

    private async Task FireAsync(AlertRule rule, string subjectKey, GuardSubject subject, GuardFigure figure, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var eventId = AlertEvent.NewId();
        var draft = new AlertFiringDraft(rule.Id, rule.ProjectId, subjectKey, subject.SessionId, subject.UserId, figure.Describe(rule.Kind), now,
            eventId, AlertEvent.Body(eventId, rule, now, subject, figure));
        if (await alerts.TryFireAsync(draft, cancellationToken) is not null)
            wakeUp.Signal();
    }
}

/// <summary>Wakes the webhook dispatcher when a rule fires on this server, so the event goes out at once rather than at the next poll.</summary>
public sealed class DeliveryWakeUp
{
    private readonly SemaphoreSlim _signal = new(0);

    public void Signal()
    {
        if (_signal.CurrentCount == 0)
            _signal.Release();
    }

    /// <summary>Waits for a signal or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => await _signal.WaitAsync(timeout, cancellationToken);
}
