namespace Zespan.Core.Sessions.Anomalies;

/// <summary>The figures of a session that are compared with the usual sessions of its kind.</summary>
public enum AnomalyMetric { CostPerSession, Turns, TokensPerTurn }

/// <summary>One figure of a session judged against its baseline: how far above the usual it is, and whether that is anomalous.</summary>
public sealed record AnomalyFinding(AnomalyMetric Metric, double Value, Baseline Baseline, double Score, double Ratio, bool Flagged);

/// <summary>
/// The anomaly rule, written once (docs/api.md, "How a session is judged anomalous"). A figure x of a session is anomalous
/// against the baseline of its kind (median m, MAD, n sessions) when all of these hold:
/// <list type="bullet">
/// <item>n ≥ <see cref="MinBaselineSessions"/> (a smaller kind has no usual to speak of);</item>
/// <item>m &gt; 0 and x ≥ <see cref="MinRatio"/> × m (far above in plain terms, never a tiny absolute difference);</item>
/// <item>the robust score (x − m) / (1.4826 × MAD) ≥ <see cref="MinScore"/> — the modified z-score of Iglewicz and Hoaglin;
/// 1.4826 × MAD estimates the standard deviation of normal data, and a MAD of 0 (most sessions identical) makes any x
/// above m score infinitely, so the ratio alone decides.</item>
/// </list>
/// Only values above the usual are flagged: a cheap or short session is never an anomaly here.
/// </summary>
public static class AnomalyRule
{
    public const int MinBaselineSessions = 20;
    public const double MinRatio = 3.0;
    public const double MinScore = 3.5;
    public const double MadToSigma = 1.4826;

    public static AnomalyFinding Judge(AnomalyMetric metric, double value, Baseline baseline)
    {
        return new AnomalyFinding(metric, value, baseline, Score(value, baseline), Ratio(value, baseline), Flags(value, baseline));
    }

    /// <summary>How many times the median the figure is (infinite when the median is 0).</summary>
    public static double Ratio(double value, Baseline baseline) => baseline.Median > 0 ? value / baseline.Median : double.PositiveInfinity;

    /// <summary>Whether the figure is flagged (the rule above), without building its finding.</summary>
    public static bool Flags(double value, Baseline baseline) =>
        FloorOf(baseline) is { } floor && value >= floor && Score(value, baseline) >= MinScore;

    /// <summary>The least value the first two conditions let through; null when the baseline flags nothing.</summary>
    public static double? FloorOf(Baseline baseline) =>
        baseline.Sessions >= MinBaselineSessions && baseline.Median > 0 ? MinRatio * baseline.Median : null;

    /// <summary>
    /// A value below which nothing is flagged: the ratio's floor, or the score's m + 3.5 × 1.4826 × MAD when higher
    /// (in real numbers; a reader comparing with it keeps a margin for the doubles' rounding). Null: nothing is flagged.
    /// </summary>
    public static double? LeastFlagged(Baseline baseline) =>
        FloorOf(baseline) is { } floor ? Math.Max(floor, baseline.Median + MinScore * MadToSigma * baseline.Mad) : null;

    /// <summary>(x − m) / (1.4826 × MAD); infinite above the median when MAD is 0, and 0 at or below it.</summary>
    public static double Score(double value, Baseline baseline)
    {
        var above = value - baseline.Median;
        if (above <= 0)
            return above == 0 || baseline.Mad == 0 ? 0 : above / (MadToSigma * baseline.Mad);
        return baseline.Mad == 0 ? double.PositiveInfinity : above / (MadToSigma * baseline.Mad);
    }
}
