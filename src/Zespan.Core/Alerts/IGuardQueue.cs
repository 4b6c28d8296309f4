namespace Zespan.Core.Alerts;

/// <summary>A session whose figures changed since the guard last evaluated it; <see cref="Touch"/> grows with every change.</summary>
public sealed record PendingGuardCheck(long Touch, long ProjectId, string SessionId);

/// <summary>
/// The sessions the runaway guard has yet to evaluate, recorded by the telemetry store in the same transaction as the
/// spans that changed them, so a crossing is evaluated even when the process stops between the commit and the
/// evaluation: the guard reads them at start and after every commit, and marks them done only once evaluated.
/// </summary>
public interface IGuardQueue
{
    /// <summary>Up to <paramref name="limit"/> pending sessions, oldest change first.</summary>
    Task<IReadOnlyList<PendingGuardCheck>> PendingAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Removes these entries, unless a session changed again since (then its newer entry stays).</summary>
    Task DoneAsync(IReadOnlyList<PendingGuardCheck> checks, CancellationToken cancellationToken = default);
}
