namespace Zespan.Storage.Conformance;

/// <summary>
/// Token outliers as docs/api.md defines them, recomputed from sessions' figures: tokens per turn (total tokens / turns,
/// a double), the exact median over the given sessions (the mean of the middle two for an even count), the sessions whose
/// ratio to it is at least minRatio, highest ratio first, then by session id; none when the median is not above 0.
/// </summary>
public static class TokenOutlierRecomputation
{
    public static List<(string SessionId, double Ratio)> Expected(IEnumerable<(string SessionId, long TotalTokens, long Turns)> sessions, double minRatio, int limit)
    {
        var list = sessions.Select(s => (s.SessionId, PerTurn: (double)s.TotalTokens / s.Turns)).ToList();
        var perTurn = list.Select(s => s.PerTurn).Order().ToList();
        if (perTurn.Count == 0)
            return [];
        var median = perTurn.Count % 2 == 1 ? perTurn[perTurn.Count / 2] : (perTurn[perTurn.Count / 2 - 1] + perTurn[perTurn.Count / 2]) / 2;
        if (median <= 0)
            return [];
        return list.Select(s => (s.SessionId, Ratio: s.PerTurn / median)).Where(s => s.Ratio >= minRatio)
            .OrderByDescending(s => s.Ratio).ThenBy(s => s.SessionId, StringComparer.Ordinal).Take(limit).ToList();
    }
}
