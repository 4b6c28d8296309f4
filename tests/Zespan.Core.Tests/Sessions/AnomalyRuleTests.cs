using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;

namespace Zespan.Core.Tests.Sessions;

public class AnomalyRuleTests
{
    private static Baseline Of(params double[] values) => Baseline.Of(values.ToList());

    /// <summary>20 values around 10 with a MAD of 1: median 10, 1.4826 × MAD = 1.4826.</summary>
    private static readonly Baseline Usual = Of(8, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 12, 12, 13);

    [Fact]
    public void Baseline_MedianMadAndP99_AsDefined()
    {
        Assert.Equal(20, Usual.Sessions);
        Assert.Equal(10, Usual.Median);
        Assert.Equal(1, Usual.Mad); // deviations: 2,1,1,1,1,0×8,1,1,1,1,2,2,3 → sorted middle pair (1,1)
        Assert.Equal(13, Usual.P99);  // nearest rank ceil(0.99 × 20) = 20th
        var even = Of(1, 2, 3, 4);
        Assert.Equal(2.5, even.Median);
        Assert.Equal(1, even.Mad); // deviations 1.5, .5, .5, 1.5 → (0.5 + 1.5) / 2
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Baseline_BySelection_EqualsTheSortedDefinition(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            // Sizes from 1 to tens of thousands (the bucketed selection from 4,096); values spread, repeated (few
            // distinct), all equal, packed into one bucket, or of both signs.
            var count = random.Next(1, round < 200 ? 60 : round < 270 ? 5_000 : 40_000);
            var shape = random.Next(5);
            var distinct = random.Next(2, 8);
            var values = Enumerable.Range(0, count).Select(_ => shape switch
            {
                0 => 7.0,
                1 => random.Next(distinct) * 1.5,
                2 => 1_000 + random.NextDouble(),
                3 => random.NextDouble() * 2e3 - 1e3,
                _ => random.NextDouble() * 1e6,
            }).ToList();
            var sorted = values.Order().ToList();
            var median = MedianOfSorted(sorted);
            var mad = MedianOfSorted(sorted.Select(v => Math.Abs(v - median)).Order().ToList());
            var p99 = sorted[(int)Math.Ceiling(0.99 * count) - 1];
            Assert.Equal(new Baseline(count, median, mad, p99), Baseline.Of(values));
        }
    }

    private static double MedianOfSorted(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    [Fact]
    public void FarAboveTheMedian_IsFlagged_WithScoreAndRatio()
    {
        var finding = AnomalyRule.Judge(AnomalyMetric.Turns, 200, Usual);
        Assert.True(finding.Flagged);
        Assert.Equal(20, finding.Ratio);
        Assert.Equal(190 / 1.4826, finding.Score, 9);
    }

    [Fact]
    public void AtTheRatioButNotTheScore_IsNotFlagged()
    {
        // Wide spread: median 10, MAD 10 → 30 scores 20 / 14.826 = 1.35 < 3.5 although 30 = 3× the median.
        var wide = Of(Enumerable.Range(0, 21).Select(i => (double)i).ToArray()); // 0..20, median 10, MAD 5
        var finding = AnomalyRule.Judge(AnomalyMetric.CostPerSession, 30, wide);
        Assert.Equal(3, finding.Ratio);
        Assert.True(finding.Score < AnomalyRule.MinScore);
        Assert.False(finding.Flagged);
    }

    [Fact]
    public void HighScoreButBelowThreeTimesTheMedian_IsNotFlagged()
    {
        // Tight baseline: 29 is 12.8 robust deviations above but only 2.9× the median.
        var finding = AnomalyRule.Judge(AnomalyMetric.Turns, 29, Usual);
        Assert.True(finding.Score > AnomalyRule.MinScore);
        Assert.False(finding.Flagged);
        Assert.True(AnomalyRule.Judge(AnomalyMetric.Turns, 30, Usual).Flagged);
    }

    [Fact]
    public void SmallBaseline_NeverFlags()
    {
        var small = Of(Enumerable.Repeat(10.0, AnomalyRule.MinBaselineSessions - 1).ToArray());
        Assert.False(AnomalyRule.Judge(AnomalyMetric.Turns, 1_000, small).Flagged);
        var enough = Of(Enumerable.Repeat(10.0, AnomalyRule.MinBaselineSessions).ToArray());
        Assert.True(AnomalyRule.Judge(AnomalyMetric.Turns, 1_000, enough).Flagged);
    }

    [Fact]
    public void ZeroMad_ScoreIsUnbounded_AndTheRatioDecides()
    {
        var same = Of(Enumerable.Repeat(1.0, 50).ToArray());
        Assert.Equal(0, same.Mad);
        var two = AnomalyRule.Judge(AnomalyMetric.Turns, 2, same);
        Assert.True(double.IsPositiveInfinity(two.Score));
        Assert.False(two.Flagged); // 2× only
        Assert.True(AnomalyRule.Judge(AnomalyMetric.Turns, 3, same).Flagged);
        Assert.Equal(0, AnomalyRule.Judge(AnomalyMetric.Turns, 1, same).Score);
    }

    [Fact]
    public void ZeroMedian_NeverFlags()
    {
        var free = Of(Enumerable.Repeat(0.0, 30).ToArray());
        Assert.False(AnomalyRule.Judge(AnomalyMetric.CostPerSession, 1_000_000, free).Flagged);
    }

    [Fact]
    public void BelowTheMedian_IsNeverFlagged()
    {
        var finding = AnomalyRule.Judge(AnomalyMetric.Turns, 1, Usual);
        Assert.False(finding.Flagged);
        Assert.True(finding.Score < 0);
    }

    private static SessionSummary Session(string id, int turns, long costPico, long tokens, bool unpriced = false) =>
        new(id, null, 0, 1000, turns, unpriced ? 0 : costPico, unpriced ? turns : 0, tokens, 0, 0, 0);

    [Fact]
    public void UnpricedSessions_StayOutOfTheCostBaseline_AndAreNotJudgedOnCost()
    {
        var rows = Enumerable.Range(0, 25).Select(i => new KindedSession(Session($"s{i}", 10, 1_000_000_000, 1000), "chat")).ToList();
        // 30 unpriced sessions: counted as $0 they would drag the median to $0 and no cost could be flagged.
        rows.AddRange(Enumerable.Range(0, 30).Select(i => new KindedSession(Session($"u{i}", 10, 0, 1000, unpriced: true), "chat")));
        var expensive = new KindedSession(Session("big", 10, 40_000_000_000, 1000), "chat");
        rows.Add(expensive);
        var baselines = AnomalyDetector.Baselines(rows);
        var chat = baselines[new AnomalyDetector.KindKey("chat")];
        Assert.Equal(56, chat.Sessions);
        Assert.Equal(26, chat.CostPico.Sessions);
        Assert.Equal(30, chat.UnpricedSessions);
        Assert.Equal(1_000_000_000, chat.CostPico.Median);

        var anomalies = AnomalyDetector.Judge(rows, baselines, new SessionGrouping.ByTag(), TimeSpan.FromDays(7), 0);
        var big = Assert.Single(anomalies);
        Assert.Equal("big", big.Session.SessionId);
        Assert.Equal("chat", big.Kind);
        Assert.StartsWith("cost $0.04 = 40× the median ($0.001) of `chat` sessions in the 7 days to 1970-01-01 00:00 UTC", big.Reason);
        Assert.Contains("over 26 priced sessions", big.Reason);
        // An unpriced session has no cost finding at all.
        Assert.DoesNotContain(AnomalyDetector.Findings(rows[30].Session, chat), f => f.Metric == AnomalyMetric.CostPerSession);
    }

    [Fact]
    public void SessionInSeveralKinds_IsReportedOnce_UnderItsMostExtremeKind()
    {
        var rows = new List<KindedSession>();
        for (var i = 0; i < 30; i++)
        {
            rows.Add(new KindedSession(Session($"a{i}", 10, 1_000, 100), "short"));
            rows.Add(new KindedSession(Session($"b{i}", 40, 1_000, 100), "long"));
        }
        var both = Session("both", 200, 1_000, 100);
        rows.Add(new KindedSession(both, "short"));
        rows.Add(new KindedSession(both, "long"));
        var anomalies = AnomalyDetector.Judge(rows, AnomalyDetector.Baselines(rows), new SessionGrouping.ByTag(), TimeSpan.FromDays(7), 0);
        var one = Assert.Single(anomalies);
        Assert.Equal("short", one.Kind); // 20× the median of "short" beats 5× the median of "long"
        Assert.Contains("200 turns = 20× the median (10)", one.Reason);
    }
}
