using Zespan.Core.Spans;

namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The figures of one session row under a grouping that the anomaly rule judges, without its names, user or times: what
/// a baseline is computed from, and what tells whether the session is flagged. The id is null where it was not read
/// (a baseline needs none).
/// </summary>
public readonly record struct SessionNumbers(string? SessionId, string? Kind, Int128 CostPico, int UnpricedCalls, int Turns, long TotalTokens)
{
    public bool CostUnknown => Money.IsUnknown(Turns, UnpricedCalls);

    public static SessionNumbers Of(KindedSession row) =>
        new(row.Session.SessionId, row.Kind, row.Session.CostPico, row.Session.UnpricedCalls, row.Session.Turns, row.Session.TotalTokens);
}

/// <summary>
/// The lowest value of each figure that any kind's baseline could flag (<see cref="AnomalyRule.LeastFlagged"/>); null: no kind
/// can flag that figure. A session below all three is flagged under no kind, so a store may leave it unread.
/// </summary>
public sealed record FlagFloors(double? CostPico, double? Turns, double? TokensPerTurn)
{
    public static FlagFloors Of(IEnumerable<KindBaseline> baselines)
    {
        double? cost = null, turns = null, perTurn = null;
        foreach (var b in baselines)
        {
            cost = Min(cost, AnomalyRule.LeastFlagged(b.CostPico));
            turns = Min(turns, AnomalyRule.LeastFlagged(b.Turns));
            perTurn = Min(perTurn, AnomalyRule.LeastFlagged(b.TokensPerTurn));
        }
        return new FlagFloors(cost, turns, perTurn);
    }

    private static double? Min(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}

/// <summary>
/// The anomaly detector's fast path of a store (optional beside <see cref="Storage.ISessionKindReader"/>): the numbers of
/// the window's sessions for the baselines, the numbers and ids of the few sessions at or above the floors, and the full
/// rows of the listed ones.
/// </summary>
public interface ISessionNumbersReader
{
    /// <summary>
    /// Adds one <see cref="SessionNumbers"/> (id not read) per session and kind matching the filter to the builder, as
    /// <c>SessionsAsync</c> would return the rows; false, adding nothing, when this store cannot read them exactly for
    /// the project (the detector then reads the full rows).
    /// </summary>
    Task<bool> NumbersAsync(long projectId, SessionFilter filter, SessionGrouping? by, BaselineBuilder into, CancellationToken cancellationToken = default);

    /// <summary>
    /// The numbers with ids of every row matching the filter whose session has a figure at or above its floor — and
    /// possibly others: a superset, judged exactly by the caller. Cost is compared whether priced or not.
    /// </summary>
    Task<IReadOnlyList<SessionNumbers>> NumbersAtOrAboveAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, FlagFloors floors, CancellationToken cancellationToken = default);

    /// <summary>How many sessions match the filter.</summary>
    Task<long> CountAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default);

    /// <summary>The full rows, one per kind under the grouping, of the sessions named (any that no longer exist are left out).</summary>
    Task<IReadOnlyList<KindedSession>> SessionsByIdAsync(long projectId, IReadOnlyCollection<string> sessionIds, SessionGrouping? by, CancellationToken cancellationToken = default);
}
