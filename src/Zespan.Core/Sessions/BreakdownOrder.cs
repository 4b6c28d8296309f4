using Zespan.Core.Spans;

namespace Zespan.Core.Sessions;

/// <summary>
/// The order of every breakdown on every backend, written once: cost descending, then the group by code point (no group first).
/// A group whose cost is unknown (every session unpriced) comes after every known cost, $0 included: "which kinds of
/// conversations cost the most" lists what is known to cost first, and an unknown cost is kept apart from a free one.
/// </summary>
public static class BreakdownOrder
{
    /// <summary>The order itself: a total order, since no two groups of one breakdown share a name.</summary>
    public static IComparer<SessionGroupCost> Order { get; } = Comparer<SessionGroupCost>.Create((a, b) =>
    {
        var byKnown = a.CostUnknown.CompareTo(b.CostUnknown);
        if (byKnown != 0)
            return byKnown;
        var byCost = b.TotalCostPico.CompareTo(a.TotalCostPico);
        return byCost != 0 ? byCost : CodePointOrder.Instance.Compare(a.Group, b.Group);
    });

    /// <summary>
    /// The first limit groups; a negative limit means all (as SQLite reads LIMIT -1). The first few of many (20 of a
    /// breakdown by 200 k users) are kept in a heap of limit groups as they stream by, not found by sorting them all.
    /// </summary>
    public static List<SessionGroupCost> Top(IEnumerable<SessionGroupCost> groups, int limit)
    {
        if (limit < 0)
        {
            var all = groups.ToList();
            all.Sort(Order);
            return all;
        }
        // The root is the last of the groups kept so far: a group that sorts before it takes its place.
        var kept = new PriorityQueue<SessionGroupCost, SessionGroupCost>(limit + 1, Comparer<SessionGroupCost>.Create((a, b) => Order.Compare(b, a)));
        foreach (var group in groups)
        {
            if (kept.Count < limit)
                kept.Enqueue(group, group);
            else if (limit > 0 && Order.Compare(group, kept.Peek()) < 0)
                kept.DequeueEnqueue(group, group);
        }
        var top = kept.UnorderedItems.Select(item => item.Element).ToList();
        top.Sort(Order);
        return top;
    }
}
