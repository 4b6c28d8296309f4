using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The exact median and p95 of session cost over the priced sessions matching a filter, found by counting along the
/// cost index (LIMIT 1 OFFSET k, from whichever end is nearer) instead of reading every cost into memory and sorting.
/// Why it is exact: the cost index leads with cost_unknown (migration 072), so the priced sessions are one run of it in
/// cost order and the k-th priced cost is the k-th entry of that run. The matching and priced counts come from the rollup.
/// </summary>
internal static class SessionCostPercentiles
{
    /// <summary>
    /// Index entries the walk would visit: the offsets from the nearer end, scaled by how many index entries it passes
    /// per matching one (the index holds every session of the project; filters skip the others).
    /// </summary>
    public static double WalkCost(SessionTotals matching, long projectSessions)
    {
        if (matching.PricedSessions == 0)
            return 0;
        double Nearer(long k) => Math.Min(k, matching.PricedSessions - 1 - k);
        var median = Nearer(matching.PricedSessions / 2);
        var p95 = Nearer(Percentiles.NearestRankOf(matching.PricedSessions, 0.95) - 1);
        return (median + p95) * projectSessions / matching.Sessions;
    }

    public static async Task<(long Median, long P95)> WalkAsync(SqliteConnection connection, long projectId, SessionFilter filter, SessionTotals matching, CancellationToken cancellationToken)
    {
        var priced = matching.PricedSessions;
        if (priced == 0)
            return (0, 0);
        var middle = await ValuesAtAsync(connection, projectId, filter, priced, (priced - 1) / 2, priced % 2 == 1 ? 1 : 2, cancellationToken);
        var median = middle.Count == 1 ? middle[0] : Percentiles.MeanOfTwo(middle[0], middle[1]);
        var p95 = (await ValuesAtAsync(connection, projectId, filter, priced, Percentiles.NearestRankOf(priced, 0.95) - 1, 1, cancellationToken))[0];
        return (median, p95);
    }

    /// <summary>Costs at ascending positions [position, position + count) among the matching priced sessions.</summary>
    private static async Task<List<long>> ValuesAtAsync(SqliteConnection connection, long projectId, SessionFilter filter, long matchingCount, long position, int count, CancellationToken cancellationToken)
    {
        var fromTop = matchingCount - (position + count);
        var descending = fromTop < position;
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT s.cost_sort FROM sessions s INDEXED BY sessions_by_cost WHERE s.project_id = $p AND s.cost_unknown = 0");
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, filter);
        sql.Append(descending ? " ORDER BY s.cost_sort DESC" : " ORDER BY s.cost_sort ASC").Append(" LIMIT $count OFFSET $offset");
        command.With("$count", count).With("$offset", descending ? fromTop : position);
        command.CommandText = sql.ToString();
        var values = new List<long>(count);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read())
                values.Add(reader.GetInt64(0));
        }
        if (values.Count != count)
            throw new InvalidOperationException($"The session rollup and the cost index disagree: expected {count} cost(s) at position {position} of {matchingCount}.");
        if (descending)
            values.Reverse();
        return values;
    }
}
