using Zespan.Core.Spans;

namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The figures of one session row under a grouping that the anomaly rule judges, without its names, user or times: what
/// a baseline is computed from, and what tells whether the session needs its full row read (a flagged one).
/// </summary>
public readonly record struct SessionNumbers(string SessionId, string? Kind, Int128 CostPico, int UnpricedCalls, int Turns, long TotalTokens)
{
    public bool CostUnknown => Money.IsUnknown(Turns, UnpricedCalls);

    public static SessionNumbers Of(KindedSession row) =>
        new(row.Session.SessionId, row.Kind, row.Session.CostPico, row.Session.UnpricedCalls, row.Session.Turns, row.Session.TotalTokens);
}

/// <summary>
/// The anomaly detector's fast path of a store (optional beside <see cref="Storage.ISessionKindReader"/>): the numbers of
/// the window's sessions for the baselines, then the full rows of the few sessions flagged against them.
/// </summary>
public interface ISessionNumbersReader
{
    /// <summary>
    /// One <see cref="SessionNumbers"/> per session and kind matching the filter, as <c>SessionsAsync</c> would return the
    /// rows; null when this store cannot read them exactly for the project (the detector then reads the full rows).
    /// </summary>
    Task<IReadOnlyList<SessionNumbers>?> NumbersAsync(long projectId, SessionFilter filter, SessionGrouping? by, CancellationToken cancellationToken = default);

    /// <summary>The full rows, one per kind under the grouping, of the sessions named (any that no longer exist are left out).</summary>
    Task<IReadOnlyList<KindedSession>> SessionsByIdAsync(long projectId, IReadOnlyCollection<string> sessionIds, SessionGrouping? by, CancellationToken cancellationToken = default);
}
