using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Reads the priced costs of many (kind, cost band, bucket) ranges at once, each sorted: the whole project's from the
/// sessions' band index (<see cref="WholeProjectAsync"/>), or kinds' from session_kind_costs (<see cref="OfKindsAsync"/>,
/// migration 195). The ranges travel as one JSON parameter walked by json_each as the outer loop, each a seek in the
/// index: one statement for a series, where one prepared read per range cost ~1,300 statement runs for 90 daily
/// buckets of 6–7 kinds (most of the by= series' time at a million sessions).
/// </summary>
internal static class BandCosts
{
    /// <summary>One range: the priced sessions of <paramref name="Kind"/> ("" for the whole project or a "has" dim) in one band, started in [FromMs, ToMs).</summary>
    public readonly record struct Range(string Kind, long Band, long FromMs, long ToMs);

    /// <summary>Every priced session of the project (index only: no other column of the session is read).</summary>
    public static Task<List<long>[]> WholeProjectAsync(SqliteTransaction snapshot, long projectId, IReadOnlyList<Range> ranges, CancellationToken cancellationToken) =>
        ReadAsync(snapshot.Connection!.Command("""
            SELECT r.key, s.cost_pico, 1 FROM json_each($ranges) AS r CROSS JOIN sessions AS s INDEXED BY sessions_by_cost_band
            WHERE s.project_id = $p AND s.cost_unknown = 0 AND s.cost_band = r.value ->> 1
              AND s.started_ms >= r.value ->> 2 AND s.started_ms < r.value ->> 3
            """, snapshot).With("$p", projectId), ranges, cancellationToken);

    /// <summary>The priced sessions of each range's kind (dim and key as in migration 170).</summary>
    public static Task<List<long>[]> OfKindsAsync(
        SqliteTransaction snapshot, long projectId, int dim, string key, IReadOnlyList<Range> ranges, CancellationToken cancellationToken) =>
        ReadAsync(snapshot.Connection!.Command("""
            SELECT r.key, c.cost_pico, c.sessions FROM json_each($ranges) AS r CROSS JOIN session_kind_costs AS c
            WHERE c.project_id = $p AND c.dim = $dim AND c.key = $key AND c.kind = r.value ->> 0 AND c.cost_band = r.value ->> 1
              AND c.day >= r.value ->> 2 AND c.day < r.value ->> 3
            """, snapshot).With("$p", projectId).With("$dim", dim).With("$key", key), ranges, cancellationToken);

    /// <summary>Rows of (range index, cost, how many sessions have it), gathered per range and sorted.</summary>
    private static async Task<List<long>[]> ReadAsync(SqliteCommand command, IReadOnlyList<Range> ranges, CancellationToken cancellationToken)
    {
        await using var _ = command;
        var costs = new List<long>[ranges.Count];
        for (var i = 0; i < costs.Length; i++)
            costs[i] = [];
        if (ranges.Count == 0)
            return costs;
        command.With("$ranges", JsonSerializer.Serialize(ranges.Select(r => new object[] { r.Kind, r.Band, r.FromMs, r.ToMs })));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read()) // synchronous: one step per row, as Microsoft.Data.Sqlite steps anyway
            {
                var list = costs[reader.GetInt32(0)];
                var cost = reader.GetInt64(1);
                for (var n = reader.GetInt64(2); n > 0; n--)
                    list.Add(cost);
            }
        }
        foreach (var list in costs)
            list.Sort();
        return costs;
    }

    /// <summary>The sorted costs of <paramref name="all"/> without those of its subset <paramref name="subset"/> (both sorted).</summary>
    public static List<long> Minus(List<long> all, List<long> subset)
    {
        var result = new List<long>(all.Count - subset.Count);
        var j = 0;
        foreach (var cost in all)
        {
            if (j < subset.Count && subset[j] == cost)
                j++;
            else
                result.Add(cost);
        }
        if (j != subset.Count)
            throw new InvalidOperationException("The per-kind costs hold a cost that no session of the band has.");
        return result;
    }
}
