using Zespan.Core.Storage;

namespace Zespan.Server.Sessions;

/// <summary>
/// Keeps the telemetry store's session rows on the control plane's idle gap threshold. The setting lives in the control
/// plane (shared by every server on PostgreSQL); each telemetry store recomputes its rows when it finds its applied
/// threshold differs, so a change made on another server reaches this one at its next sessions read.
/// </summary>
public sealed class SessionActivitySync(IProjectSessionSettingsStore settings, ISessionActivityStore activity)
{
    /// <summary>The threshold the project's rows follow after this call (recomputing them first if needed).</summary>
    public async Task<long> EnsureAsync(long projectId, CancellationToken cancellationToken)
    {
        var wanted = (await settings.GetAsync(projectId, cancellationToken)).IdleGapMs;
        var (applied, complete) = await activity.AppliedIdleGapAsync(projectId, cancellationToken);
        if (applied != wanted || !complete)
            await activity.ApplyIdleGapAsync(projectId, wanted, cancellationToken);
        return wanted;
    }
}
