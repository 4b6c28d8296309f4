using Zespan.Core.Spans;

namespace Zespan.Core.Sessions;

/// <summary>
/// The order of every breakdown on every backend, written once: cost descending, then the group by code point (no group first).
/// A group whose cost is unknown (every session unpriced) comes after every known cost, $0 included: "which kinds of
/// conversations cost the most" lists what is known to cost first, and an unknown cost is kept apart from a free one.
/// </summary>
public static class BreakdownOrder
{
    /// <summary>The first limit groups; a negative limit means all (as SQLite reads LIMIT -1).</summary>
    public static List<SessionGroupCost> Top(IEnumerable<SessionGroupCost> groups, int limit)
    {
        var ordered = groups.OrderBy(g => g.CostUnknown).ThenByDescending(g => g.TotalCostPico).ThenBy(g => g.Group, CodePointOrder.Instance);
        return limit < 0 ? ordered.ToList() : ordered.Take(limit).ToList();
    }
}
