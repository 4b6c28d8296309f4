using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>The order of every breakdown, written once: cost descending, then the group as SQLite orders text (no group first).</summary>
internal static class BreakdownOrder
{
    /// <summary>The first limit groups; a negative limit means all (as SQLite reads LIMIT -1).</summary>
    public static List<SessionGroupCost> Top(IEnumerable<SessionGroupCost> groups, int limit)
    {
        var ordered = groups.OrderByDescending(g => g.TotalCostPico).ThenBy(g => g.Group, CodePointOrder.Instance);
        return limit < 0 ? ordered.ToList() : ordered.Take(limit).ToList();
    }
}
