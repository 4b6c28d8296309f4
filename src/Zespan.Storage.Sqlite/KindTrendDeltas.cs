namespace Zespan.Storage.Sqlite;

/// <summary>
/// The writer's signed deltas for the daily trend rollups (migration 250 moved them off triggers): the whole project's
/// cost bands (session_cost_bands_daily, 140) and, per kind of conversation (<see cref="SessionKindRows"/>), the sessions,
/// priced sessions and cost per day, error state and turns (session_kind_rollup_daily, 170) and the priced sessions per
/// day and cost band (session_kind_cost_bands_daily, 170). Summed per row over a write transaction, so a session that
/// stayed in its day, band and turns writes nothing to the band tables.
/// </summary>
internal sealed class KindTrendDeltas
{
    private readonly record struct Band(long Project, long Day, long CostBand);
    private readonly record struct KindBand(long Project, int Dim, string Key, string Kind, long Day, long CostBand);
    private readonly record struct KindDay(long Project, int Dim, string Key, string Kind, long Day, bool Errored, long Turns);

    private readonly Dictionary<Band, long> _bands = [];
    private readonly Dictionary<KindBand, long> _kindBands = [];
    private readonly Dictionary<KindDay, RollupSums> _kindDays = [];

    public void Add(long projectId, SessionRollupState s, int sign)
    {
        var priced = !s.CostUnknown; // only priced sessions have a band (migration 140)
        if (priced)
            Count(_bands, new Band(projectId, s.Day, s.CostBand), sign);
        var sums = new RollupSums(sign, priced ? sign : 0, sign * s.CostPico, 0);
        foreach (var (dim, key, kind) in SessionKindRows.Of(s))
        {
            var day = new KindDay(projectId, dim, key, kind, s.Day, s.ErrorCount > 0, s.Turns);
            _kindDays[day] = _kindDays.TryGetValue(day, out var sum) ? sum.Plus(sums) : sums;
            if (priced)
                Count(_kindBands, new KindBand(projectId, dim, key, kind, s.Day, s.CostBand), sign);
        }
    }

    private static void Count<TKey>(Dictionary<TKey, long> rows, TKey key, int sign) where TKey : notnull =>
        rows[key] = rows.GetValueOrDefault(key) + sign;

    public void Flush(SessionRollupDeltas owner)
    {
        CountRows.Flush(owner, "session_cost_bands_daily", ["project_id", "day", "cost_band"], _bands, (binder, row) =>
        {
            binder.Add(row.Project);
            binder.Add(row.Day);
            binder.Add(row.CostBand);
        });
        CountRows.Flush(owner, "session_kind_cost_bands_daily", ["project_id", "dim", "key", "kind", "day", "cost_band"], _kindBands, (binder, row) =>
        {
            binder.Add(row.Project);
            binder.Add(row.Dim);
            binder.Add(row.Key);
            binder.Add(row.Kind);
            binder.Add(row.Day);
            binder.Add(row.CostBand);
        });
        FlushKindDays(owner);
    }

    private static void BindKey(RowBinder binder, KindDay row)
    {
        binder.Add(row.Project);
        binder.Add(row.Dim);
        binder.Add(row.Key);
        binder.Add(row.Kind);
        binder.Add(row.Day);
        binder.Add(row.Errored ? 1 : 0);
        binder.Add(row.Turns);
    }

    private void FlushKindDays(SessionRollupDeltas owner)
    {
        if (_kindDays.Count == 0)
            return;
        // The cost as 170 sums it: cost_high * 2^32 + cost_low is the exact sum (ExactSum's split), no column overflows.
        var upsert = new RollupUpsert<KindDay, RollupSums>(owner, "session_kind_rollup_daily",
            ["project_id", "dim", "key", "kind", "day", "errored", "turns"], ["sessions", "priced_sessions", "cost_high", "cost_low"],
            "sessions = sessions + excluded.sessions, priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low",
            BindKey, (binder, d) =>
            {
                binder.Add(d.Sessions);
                binder.Add(d.Priced);
                binder.Add(ExactSum.High(d.Cost));
                binder.Add(ExactSum.Low(d.Cost));
            });
        foreach (var (row, d) in _kindDays)
        {
            if (!d.IsZero)
                upsert.Add(row, d, d.Sessions);
        }
        upsert.Finish();
        _kindDays.Clear();
    }
}
