using System.Text;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The bands of session active time counted by session_active_bands_hourly (migration 201): band b holds active_ms in
/// [Starts[b], Starts[b + 1]). The starts are the round durations a person filters by (5 s, 1 min, 5 min, 1 h …), so a
/// usual minActiveMs/maxActiveMs falls on a band start and the count is read from the rollup alone; any other value
/// adds a walk of the covering active-time index over the part of one band it cuts. Few bands keep the hourly rollup
/// small (≤ 19 rows per hour and error state).
/// </summary>
internal static class ActiveTimeBands
{
    /// <summary>Band starts; band 0 also holds every value below 1 s (negatives included), the last one every value from a day up.</summary>
    public static readonly long[] Starts =
    [
        long.MinValue, 1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_200_000, 1_800_000,
        2_700_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
    ];

    public static int Of(long activeMs)
    {
        var i = Array.BinarySearch(Starts, activeMs);
        return i >= 0 ? i : ~i - 1;
    }

    /// <summary>The first value of the band after b (long.MaxValue past the last band: nothing follows).</summary>
    public static long End(int band) => band + 1 < Starts.Length ? Starts[band + 1] : long.MaxValue;

    /// <summary>The same rule as <see cref="Of"/> in SQL, over a column (migration 201 holds its text for active_ms; a test checks).</summary>
    public static string Sql(string column)
    {
        var sql = new StringBuilder("CASE");
        for (var band = 0; band < Starts.Length - 1; band++)
            sql.Append($" WHEN {column} < {Starts[band + 1]} THEN {band}");
        return sql.Append($" ELSE {Starts.Length - 1} END").ToString();
    }
}
