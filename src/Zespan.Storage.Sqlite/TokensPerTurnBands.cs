using System.Globalization;
using System.Text;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The bands of a session's tokens per turn counted by session_tokens_per_turn_hourly (migration 260): band b holds the
/// sessions whose tokens per turn — the double <c>(double)total_tokens / turns</c>, the value the token outliers rank by
/// (docs/api.md) — lie in [Starts[b], Starts[b + 1]). Eight bands an octave, so the band holding the median is a few
/// percent of the sessions, and the hourly rollup stays small (a few dozen bands per hour are used).
/// The starts are integers, exact as doubles and as SQL literals, so C# and SQLite put every value in the same band.
/// </summary>
internal static class TokensPerTurnBands
{
    /// <summary>
    /// The value in SQL on a session row: the same IEEE double division as C#'s <c>(double)TotalTokens / Turns</c>
    /// (migration 260 indexes exactly this expression; a query must write it the same to use the index).
    /// </summary>
    public static string PerTurnSql(string alias = "") => $"(CAST({alias}total_tokens AS REAL) / {alias}turns)";

    public static double PerTurn(long totalTokens, long turns) => (double)totalTokens / turns;

    /// <summary>Bands an octave: the median's band is then under a tenth of the sessions even when they share one octave.</summary>
    private const int PerOctave = 8;

    /// <summary>Band starts; band 0 also holds every value below 1, the last one every value from 2^24 up.</summary>
    public static readonly double[] Starts = MakeStarts();

    /// <summary>1, 2, … 7 (one a band), then from 8 = 2^3 on, PerOctave integer starts an octave: 8, 9, … 15, 16, 18, … 30, 32, 36 ….</summary>
    private static double[] MakeStarts()
    {
        var starts = new List<double> { double.NegativeInfinity };
        for (var value = 1; value < PerOctave; value++)
            starts.Add(value);
        for (long octave = PerOctave; octave < 1 << 24; octave *= 2)
        {
            for (var step = 0; step < PerOctave; step++)
                starts.Add(octave + octave / PerOctave * step);
        }
        starts.Add(1 << 24);
        return [.. starts];
    }

    public static int Of(double perTurn)
    {
        var i = Array.BinarySearch(Starts, perTurn);
        return i >= 0 ? i : ~i - 1;
    }

    /// <summary>The first value of the band after b (+∞ past the last band).</summary>
    public static double End(int band) => band + 1 < Starts.Length ? Starts[band + 1] : double.PositiveInfinity;

    /// <summary>The same rule as <see cref="Of"/> in SQL, over a REAL expression (migration 260 holds its text; a test checks).</summary>
    public static string Sql(string perTurn)
    {
        var sql = new StringBuilder("CASE");
        for (var band = 0; band < Starts.Length - 1; band++)
            sql.Append(CultureInfo.InvariantCulture, $" WHEN {perTurn} < {(long)Starts[band + 1]} THEN {band}");
        return sql.Append(CultureInfo.InvariantCulture, $" ELSE {Starts.Length - 1} END").ToString();
    }
}
