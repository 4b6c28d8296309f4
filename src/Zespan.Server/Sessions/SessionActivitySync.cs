using System.Collections.Concurrent;
using Zespan.Core.Storage;

namespace Zespan.Server.Sessions;

/// <summary>
/// Keeps the telemetry store's session rows on the control plane's idle gap threshold. The setting lives in the control
/// plane (shared by every server on PostgreSQL); each telemetry store recomputes its rows when it finds its applied
/// threshold differs.
/// Every sessions request asks for the threshold, so a project's answer is remembered for <see cref="Lifetime"/> once
/// its rows are known to follow it (no control-plane or telemetry query per request, as <c>ProjectPlans</c> does).
/// A change made here (PUT /api/v1/settings/sessions, the settings page) is applied and remembered at once
/// (<c>fresh: true</c>); a change made on another server sharing PostgreSQL reaches this one when its remembered answer
/// expires, so within <see cref="Lifetime"/>.
/// </summary>
public sealed class SessionActivitySync(IProjectSessionSettingsStore settings, ISessionActivityStore activity, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<long, (long IdleGapMs, DateTimeOffset Until)> _applied = new();

    /// <summary>
    /// The threshold the project's rows follow after this call (recomputing them first if needed). With
    /// <paramref name="fresh"/>, the setting is read again whatever is remembered: after this server changed it.
    /// </summary>
    public async Task<long> EnsureAsync(long projectId, CancellationToken cancellationToken, bool fresh = false)
    {
        if (!fresh && _applied.TryGetValue(projectId, out var known) && known.Until > clock.GetUtcNow())
            return known.IdleGapMs;
        var wanted = (await settings.GetAsync(projectId, cancellationToken)).IdleGapMs;
        var (applied, complete) = await activity.AppliedIdleGapAsync(projectId, cancellationToken);
        if (applied != wanted || !complete)
            await activity.ApplyIdleGapAsync(projectId, wanted, cancellationToken);
        // Remembered only once applied: an interrupted recomputation is resumed by the next request.
        _applied[projectId] = (wanted, clock.GetUtcNow() + Lifetime);
        return wanted;
    }
}
