using Zespan.Core.Sessions;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// The idle gap threshold a project's sessions are read with. Sessions are computed from their calls at read time, so
/// applying a threshold is recording it: every read after the INSERT returns uses it, and there is never a
/// half-recomputed state (Complete is always true).
/// </summary>
public sealed class ClickHouseSessionActivityStore(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions) : ISessionActivityStore
{
    public async Task<(long IdleGapMs, bool Complete)> AppliedIdleGapAsync(long projectId, CancellationToken cancellationToken = default)
    {
        var rows = await http.QueryAsync(sql.AppliedIdleGap, new Dictionary<string, object?> { ["project"] = projectId }, cancellationToken);
        return (rows[0][0].Long(), true);
    }

    /// <summary>Records the threshold; returns 0, as no stored row needs recomputing.</summary>
    public async Task<long> ApplyIdleGapAsync(long projectId, long idleGapMs, CancellationToken cancellationToken = default)
    {
        if (SessionActivity.Validate(idleGapMs) is { } error)
            throw new ArgumentOutOfRangeException(nameof(idleGapMs), error);
        if ((await AppliedIdleGapAsync(projectId, cancellationToken)).IdleGapMs == idleGapMs)
            return 0;
        await http.InsertAsync("session_idle_thresholds", [new ThresholdRow(projectId, idleGapMs, versions.Next())], cancellationToken);
        return 0;
    }

    private sealed record ThresholdRow(long ProjectId, long IdleGapMs, ulong Version);
}
