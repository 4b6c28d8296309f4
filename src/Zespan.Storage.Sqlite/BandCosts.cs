using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Reads the priced costs of one cost band and bucket, sorted, through a prepared command whose rows are (cost, how
/// many sessions have it) and whose parameters are $band, $from and $to: the whole project's from the sessions'
/// band index (<see cref="WholeProject"/>), or one kind's from session_kind_costs (<see cref="OfKind"/>, migration 195).
/// </summary>
internal sealed class BandCosts : IAsyncDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter _band, _from, _to;

    private BandCosts(SqliteCommand command)
    {
        _command = command;
        _band = command.Parameters.Add(new SqliteParameter("$band", 0L));
        _from = command.Parameters.Add(new SqliteParameter("$from", 0L));
        _to = command.Parameters.Add(new SqliteParameter("$to", 0L));
    }

    /// <summary>Every priced session of the project (index only: no other column of the session is read).</summary>
    public static BandCosts WholeProject(SqliteTransaction snapshot, long projectId) => new(snapshot.Connection!.Command("""
        SELECT cost_pico, 1 FROM sessions INDEXED BY sessions_by_cost_band
        WHERE project_id = $p AND cost_unknown = 0 AND cost_band = $band AND started_ms >= $from AND started_ms < $to
        """, snapshot).With("$p", projectId));

    internal static readonly string OfKindSql = $"""
        SELECT cost_pico, sessions FROM session_kind_costs
        WHERE project_id = $p AND dim = $dim AND key = $key AND kind = $kind AND cost_band = $band AND {KindCostDays.OfCosts}
        """;

    /// <summary>The priced sessions of one kind (dim and key as in migration 170; <see cref="Kind"/> set per series).</summary>
    public static BandCosts OfKind(SqliteTransaction snapshot, long projectId, int dim, string key) => new(snapshot.Connection!.Command(OfKindSql, snapshot).With("$p", projectId).With("$dim", dim).With("$key", key).With("$kind", ""));

    public string Kind
    {
        set => _command.Parameters["$kind"].Value = value;
    }

    public async Task<List<long>> ReadAsync(long band, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        _band.Value = band;
        _from.Value = fromMs;
        _to.Value = toMs;
        var costs = new List<long>();
        await using (var reader = await _command.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read())
            {
                var cost = reader.GetInt64(0);
                for (var n = reader.GetInt64(1); n > 0; n--)
                    costs.Add(cost);
            }
        }
        costs.Sort();
        return costs;
    }

    /// <summary>The sorted costs of <paramref name="all"/> without those of its subset <paramref name="subset"/> (both sorted).</summary>
    public static List<long> Minus(List<long> all, List<long> subset)
    {
        var result = new List<long>(all.Count - subset.Count);
        var j = 0;
        foreach (var cost in all)
        {
            if (j < subset.Count && subset[j] == cost)
                j++;
            else
                result.Add(cost);
        }
        if (j != subset.Count)
            throw new InvalidOperationException("The per-kind costs hold a cost that no session of the band has.");
        return result;
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
