using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Removes aged-out spans by writing a deleted version of each (same session, so the same shard): every read takes the
/// newest version, so sessions, traces and costs lose the span at once and stay exact for sessions that straddle the cut.
/// </summary>
public sealed class ClickHouseRetentionStore(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions) : IRetentionStore
{
    public Task<string> DataScopeAsync(CancellationToken cancellationToken = default)
    {
        var settings = http.Settings;
        // Every server configured with the same nodes and database deletes from the same data, whatever order it lists them in.
        var nodes = string.Join(",", settings.Urls.Select(u => u.Authority).Order(StringComparer.Ordinal));
        return Task.FromResult($"clickhouse:{settings.Database}@{nodes}");
    }

    public async Task<long> DeleteSpansStartedBeforeAsync(long projectId, long cutoffMs, int batchSize, CancellationToken cancellationToken = default)
    {
        long deleted = 0;
        while (true)
        {
            var rows = await http.QueryAsync(sql.ExpiredSpans,
                new Dictionary<string, object?> { ["project"] = projectId, ["cutoff"] = cutoffMs, ["batch"] = (long)batchSize }, cancellationToken);
            if (rows.Count == 0)
                return deleted;
            var tombstones = rows.Select(r => new SpanRow
            {
                ProjectId = projectId,
                SpanId = r[0].Text(),
                SessionId = r[1].Text(),
                HasSession = (int)r[2].Long(),
                StartMs = r[3].Long(),
                Version = versions.Next(),
                Deleted = 1,
            }).ToList();
            await http.InsertAsync("spans", tombstones, cancellationToken);
            deleted += rows.Count;
            if (rows.Count < batchSize)
                return deleted;
        }
    }
}
