namespace Zespan.Storage.Sqlite;

/// <summary>
/// The writer's signed counts for session_kind_costs (migration 195): each priced session counts once per kind it has
/// (dim 0 a tag, 1 a metadata value, 2 "has a tag", 3 "has the key", as migration 170) at its cost band, start day and
/// exact cost. Summed per row over a write transaction, so a session whose band, day and cost did not move writes nothing.
/// </summary>
internal sealed class KindCosts
{
    private readonly record struct Row(long Project, int Dim, string Key, string Kind, long Band, long Day, long Cost);

    private readonly Dictionary<Row, long> _rows = [];

    public void Add(long projectId, SessionRollupState s, int sign)
    {
        if (s.CostUnknown)
            return; // only priced sessions have a band (migration 140)
        foreach (var (dim, key, kind) in SessionKindRows.Of(s))
        {
            var row = new Row(projectId, dim, key, kind, s.CostBand, s.Day, ExactSum.ToRow(s.CostPico).Pico); // the stored cost_pico column, as 195's backfill reads it
            _rows[row] = _rows.GetValueOrDefault(row) + sign;
        }
    }

    public void Flush(SessionRollupDeltas owner) =>
        CountRows.Flush(owner, "session_kind_costs", ["project_id", "dim", "key", "kind", "cost_band", "day", "cost_pico"], _rows, (binder, row) =>
        {
            binder.Add(row.Project);
            binder.Add(row.Dim);
            binder.Add(row.Key);
            binder.Add(row.Kind);
            binder.Add(row.Band);
            binder.Add(row.Day);
            binder.Add(row.Cost);
        });
}
