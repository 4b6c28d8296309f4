using Zespan.Core.Sessions;

namespace Zespan.Core.Storage;

/// <summary>A project's session settings in the control plane (SQLite or PostgreSQL): the source of truth.</summary>
public interface IProjectSessionSettingsStore
{
    /// <summary>The project's settings; the defaults when none were set.</summary>
    Task<ProjectSessionSettings> GetAsync(long projectId, CancellationToken cancellationToken = default);

    Task SetAsync(long projectId, ProjectSessionSettings settings, CancellationToken cancellationToken = default);
}

/// <summary>
/// The telemetry store's side of the idle gap threshold: the session rows hold active time under one threshold per
/// project, and changing it recomputes them (see docs/api.md, "Active time").
/// </summary>
public interface ISessionActivityStore
{
    /// <summary>The threshold the project's session rows are computed with, and whether every row is (no recomputation pending).</summary>
    Task<(long IdleGapMs, bool Complete)> AppliedIdleGapAsync(long projectId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the rows follow <paramref name="idleGapMs"/>: records it (new spans use it at once), then recomputes every
    /// session of the project in small transactions, resuming an interrupted recomputation. Returns the sessions recomputed.
    /// </summary>
    Task<long> ApplyIdleGapAsync(long projectId, long idleGapMs, CancellationToken cancellationToken = default);
}

/// <summary>The sessions list's overview charts for a filter (see <see cref="SessionOverview"/>).</summary>
public interface ISessionOverviewReader
{
    Task<SessionOverview> OverviewAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default);
}
