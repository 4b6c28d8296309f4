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
        void Count(int dim, string key, string kind)
        {
            var row = new Row(projectId, dim, key, kind, s.CostBand, s.Day, ExactSum.ToRow(s.CostPico).Pico); // the stored cost_pico column, as 195's backfill reads it
            _rows[row] = _rows.GetValueOrDefault(row) + sign;
        }

        foreach (var tag in s.Tags)
            Count(0, "", tag);
        if (s.Tags.Count > 0)
            Count(2, "", "");
        foreach (var (key, value) in s.Metadata)
            Count(1, key, value);
        foreach (var key in s.Metadata.Select(m => m.Key).Distinct(StringComparer.Ordinal))
            Count(3, key, "");
    }

    public void Flush(SessionRollupDeltas owner)
    {
        if (_rows.Count == 0)
            return;
        var upsert = owner.Statement("""
            INSERT INTO session_kind_costs (project_id, dim, key, kind, cost_band, day, cost_pico, sessions)
            VALUES ($p, $dim, $key, $kind, $band, $day, $cost, $n)
            ON CONFLICT (project_id, dim, key, kind, cost_band, day, cost_pico) DO UPDATE SET sessions = sessions + excluded.sessions
            """);
        var empty = owner.Statement("""
            DELETE FROM session_kind_costs
            WHERE project_id = $p AND dim = $dim AND key = $key AND kind = $kind AND cost_band = $band AND day = $day AND cost_pico = $cost AND sessions = 0
            """);
        foreach (var (row, n) in _rows)
        {
            if (n == 0)
                continue;
            foreach (var statement in new[] { upsert, empty })
            {
                statement.Set("$p", row.Project);
                statement.Set("$dim", row.Dim);
                statement.Set("$key", row.Key);
                statement.Set("$kind", row.Kind);
                statement.Set("$band", row.Band);
                statement.Set("$day", row.Day);
                statement.Set("$cost", row.Cost);
            }
            upsert.Set("$n", n);
            upsert.Execute();
            if (n < 0)
                empty.Execute();
        }
        _rows.Clear();
    }
}
