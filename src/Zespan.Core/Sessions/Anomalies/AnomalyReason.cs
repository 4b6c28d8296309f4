using System.Globalization;
using Zespan.Core.Spans;

namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The reason of an anomaly in words, from its flagged figures: "cost $4.43 = 38× the median ($0.12) of `support-chat`
/// sessions in the 7 days to 2026-12-02 14:00 UTC (412 priced sessions, p99 $0.95); 200 turns = 20× the median (10), p99 is 41".
/// </summary>
public static class AnomalyReason
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Describe(IReadOnlyList<AnomalyFinding> findings, string kindText, TimeSpan window, long windowEndMs)
    {
        var flagged = findings.Where(f => f.Flagged).ToList();
        var parts = new List<string>(flagged.Count);
        for (var i = 0; i < flagged.Count; i++)
        {
            var f = flagged[i];
            var text = $"{Value(f)} = {Ratio(f.Ratio)}× the median ({Amount(f.Metric, f.Baseline.Median)})";
            if (i == 0)
                text += $" of {kindText} in the {WindowText(window)} to {When(windowEndMs)}";
            text += $", p99 is {Amount(f.Metric, f.Baseline.P99)} over {f.Baseline.Sessions:N0} {(f.Metric == AnomalyMetric.CostPerSession ? "priced " : "")}sessions";
            parts.Add(text);
        }
        return string.Join("; ", parts);
    }

    private static string Value(AnomalyFinding f) => f.Metric switch
    {
        AnomalyMetric.CostPerSession => "cost " + Usd(f.Value),
        AnomalyMetric.Turns => $"{f.Value.ToString("N0", Invariant)} turns",
        _ => $"{f.Value.ToString("N0", Invariant)} tokens per turn",
    };

    private static string Amount(AnomalyMetric metric, double value) =>
        metric == AnomalyMetric.CostPerSession ? Usd(value) : value.ToString(value % 1 == 0 ? "N0" : "N1", Invariant);

    private static string Ratio(double ratio) => ratio >= 10 ? Math.Round(ratio).ToString("N0", Invariant) : ratio.ToString("0.0", Invariant);

    /// <summary>Dollars with cents, or three significant figures below a cent ($0.00042).</summary>
    public static string Usd(double pico)
    {
        var usd = pico / Money.PicoPerUsd;
        if (usd >= 0.01 || usd == 0)
            return "$" + usd.ToString("#,##0.00", Invariant);
        var decimals = Math.Clamp((int)Math.Floor(-Math.Log10(usd)) + 3, 2, 12);
        return "$" + usd.ToString("0." + new string('#', decimals), Invariant);
    }

    private static string WindowText(TimeSpan window) => window.TotalDays == 1 ? "day"
        : window.TotalDays % 1 == 0 ? $"{window.TotalDays:0} days" : $"{window.TotalHours:0} hours";

    private static string When(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant) + " UTC";
}
