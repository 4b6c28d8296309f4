using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The exact cost order of the sessions above $9,223,372.03 in a page sorted by cost. The cost index keys them all at
/// the clamped cost_sort (2^63 − 1 picodollars, migration 150), so the keyset walk finds them as one run between the
/// cheaper priced sessions and the unpriced ones — the right place, in the wrong order (by id). That run ("the group")
/// is rare and small, so only a page that reaches it, or a cursor inside it, reads it again: in the exact order of
/// (cost_high, cost_pico) — the cost's two parts, compared as the whole cost — then session id, through the
/// (project_id, cost_unknown = 0, cost_sort = bound) range of the cost index. Every other page costs nothing more.
/// </summary>
internal static class OverBoundCostOrder
{
    private const long Bound = long.MaxValue;

    /// <summary>The largest cost a row can hold (cost_high at its maximum); a cursor beyond it is held there.</summary>
    private static readonly Int128 MaxRowCost = ExactSum.Join(long.MaxValue, 4294967295);

    /// <summary>Whether a known cost sorts in the group (a cost of exactly 2^63 − 1 picodollars is keyed there too).</summary>
    private static bool InGroup(Int128 sortValue) => sortValue >= Bound;

    /// <summary>
    /// The page (limit + 1 rows read by the keyset walk in <paramref name="order"/>) with the group in exact order:
    /// unchanged when the page neither reaches the group nor starts in it.
    /// </summary>
    public static async Task<List<SessionSummary>> ApplyAsync(SessionPageSource source, SessionQuery query, List<SessionSummary> walked, string order, CancellationToken cancellationToken)
    {
        var wanted = query.Limit + 1;
        var startsInGroup = query.After is { } after && InGroup(after.Value);
        var page = walked;
        if (!startsInGroup)
        {
            var first = walked.FindIndex(s => !s.CostUnknown && InGroup(s.CostPico));
            if (first < 0)
                return walked;
            page = walked[..first];
        }
        else
        {
            page = [];
        }

        var direction = query.Descending ? "DESC" : "ASC";
        page.AddRange(await source.ReadAsync((sql, command) =>
        {
            sql.Append(" AND s.cost_unknown = 0 AND s.cost_sort = $bound");
            command.With("$bound", Bound);
            if (startsInGroup)
            {
                var (high, pico) = ExactSum.ToRow(Int128.Min(query.After!.Value, MaxRowCost));
                sql.Append($" AND (s.cost_high, s.cost_pico, s.session_id) {(query.Descending ? "<" : ">")} ($afterHigh, $afterPico, $afterId)");
                command.With("$afterHigh", high).With("$afterPico", pico).With("$afterId", query.After.SessionId);
            }
        }, $"s.cost_high {direction}, s.cost_pico {direction}, s.session_id {direction}", wanted - page.Count, cancellationToken,
            source.TextAs is TextAs.Joined or TextAs.Facts ? null : " INDEXED BY sessions_by_cost"));
        if (page.Count == wanted)
            return page;

        // Past the group: the unpriced sessions ascending, the cheaper priced ones descending.
        page.AddRange(await source.ReadAsync((sql, command) =>
        {
            sql.Append($" AND (s.cost_unknown, s.cost_sort) {(query.Descending ? "<" : ">")} (0, $bound)");
            command.With("$bound", Bound);
        }, order, wanted - page.Count, cancellationToken));
        return page;
    }
}
