using System.Collections.Concurrent;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// The idle gap threshold a project's session rows are computed with. Applying one records it (spans written from then
/// on are computed with it) and then recomputes every session row of the project; each row keeps the threshold it was
/// computed with, so a recomputation that was interrupted shows as rows under another threshold (Complete is false)
/// and the next apply finishes it.
/// That check groups every session row of the project, so it runs only when the threshold's record has changed since
/// this server last found the rows complete (and once after start): once complete, rows stay under the recorded
/// threshold until a new one is recorded — every recompute reads the newest record, and one that read an older record
/// took its tick before that record was written, so the project's recompute that followed it wins. A change made by
/// any server, even one that died before its recompute finished, is a new record (a new version), which the next call
/// here sees and checks.
/// </summary>
public sealed class ClickHouseSessionActivityStore(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions, SessionRowKeeper sessionRows) : ISessionActivityStore
{
    /// <summary>Per project, the version of the threshold record under which every row was last found computed.</summary>
    private readonly ConcurrentDictionary<long, ulong> _completeAt = new();

    public async Task<(long IdleGapMs, bool Complete)> AppliedIdleGapAsync(long projectId, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId };
        var (threshold, version) = (await http.QueryAsync(sql.AppliedIdleGapAndVersion, parameters, r => (r[0].Long(), r[1].ULong()), cancellationToken))[0];
        if (_completeAt.TryGetValue(projectId, out var known) && known == version)
            return (threshold, true);
        parameters["idle_gap"] = threshold;
        var stale = (await http.QueryAsync(sql.RowsUnderOtherThreshold, parameters, r => r[0].Long(), cancellationToken))[0];
        if (stale == 0)
            _completeAt[projectId] = version;
        return (threshold, stale == 0);
    }

    /// <summary>Records the threshold and recomputes the project's session rows; returns the rows that were under another one.</summary>
    public async Task<long> ApplyIdleGapAsync(long projectId, long idleGapMs, CancellationToken cancellationToken = default)
    {
        if (SessionActivity.Validate(idleGapMs) is { } error)
            throw new ArgumentOutOfRangeException(nameof(idleGapMs), error);
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["idle_gap"] = idleGapMs };
        var (applied, complete) = await AppliedIdleGapAsync(projectId, cancellationToken);
        if (applied == idleGapMs && complete)
            return 0;
        if (applied != idleGapMs)
            await http.InsertAsync("session_idle_thresholds", [new ThresholdRow(projectId, idleGapMs, versions.Next())], cancellationToken);
        var stale = (await http.QueryAsync(sql.RowsUnderOtherThreshold, parameters, r => r[0].Long(), cancellationToken))[0];
        // After the threshold's INSERT returned: the recompute's tick, taken later, reads it.
        await sessionRows.RecomputeProjectAsync(projectId, cancellationToken);
        return stale;
    }

    private sealed record ThresholdRow(long ProjectId, long IdleGapMs, ulong Version);
}
