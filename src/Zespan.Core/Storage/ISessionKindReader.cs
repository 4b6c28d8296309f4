using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Core.Storage;

/// <summary>
/// Sessions with the kind of conversation each belongs to, and session-grain trends: read from the same session rows as
/// the sessions list, so every figure agrees with it. Scoped to the project given.
/// </summary>
public interface ISessionKindReader
{
    /// <summary>
    /// The sessions matching the filter, one row per kind under the grouping (see <see cref="KindedSession"/>); only the
    /// session <paramref name="sessionId"/> when it is given.
    /// </summary>
    Task<IReadOnlyList<KindedSession>> SessionsAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Per bucket of session start time (within the filter, which the caller bounds to the buckets' range) and per kind:
    /// sessions started, cost, turns and errors. At most <paramref name="maxKinds"/> kinds, those with the most sessions.
    /// </summary>
    Task<SessionTimeseries> TimeseriesAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, TimeBuckets buckets, int maxKinds, CancellationToken cancellationToken = default);
}
