using Zespan.Core.Sessions;

namespace Zespan.Core.Tests.Sessions;

public class SessionActivityTests
{
    private const long Min = 60_000;

    [Fact]
    public void GapsLongerThanTheThreshold_AreIdle_OthersStayActive()
    {
        // Calls: [0,1m], [4m,5m] (3 min gap: active), [11m,12m] (6 min gap: idle), [17m,17m] (exactly 5 min: active).
        var calls = new (long, long)[] { (0, Min), (4 * Min, 5 * Min), (11 * Min, 12 * Min), (17 * Min, 17 * Min) };
        var state = SessionActivity.Of(calls, 5 * Min)!.Value;
        Assert.Equal(17 * Min, state.DurationMs);
        Assert.Equal(6 * Min, state.IdleMs);
        Assert.Equal(11 * Min, state.ActiveMs);
        Assert.Equal(1, state.IdleGaps);
        Assert.Equal([new IdleGap(5 * Min, 11 * Min)], SessionActivity.Gaps(calls, 5 * Min));
    }

    [Fact]
    public void OverlappingCalls_CoverTheTimeTheyShare_AGapStartsAtTheLatestEnd()
    {
        // A long call [0,20m] covers a short one inside it; the next call at 26m follows 6 min after the long call's end.
        var calls = new (long, long)[] { (0, 20 * Min), (2 * Min, 3 * Min), (26 * Min, 27 * Min) };
        var state = SessionActivity.Of(calls, 5 * Min)!.Value;
        Assert.Equal((6 * Min, 1, 21 * Min), (state.IdleMs, state.IdleGaps, state.ActiveMs));
    }

    [Fact]
    public void TheResult_DoesNotDependOnTheOrderCallsArriveIn()
    {
        var random = new Random(5);
        var calls = Enumerable.Range(0, 200).Select(_ => random.NextInt64(0, 600 * Min)).Select(s => (s, s + random.NextInt64(0, 10 * Min))).ToList();
        var expected = SessionActivity.Of(calls, 5 * Min);
        for (var i = 0; i < 10; i++)
            Assert.Equal(expected, SessionActivity.Of(calls.OrderBy(_ => random.Next()), 5 * Min));
        // Folding in calls one by one in start order equals the whole recomputation.
        var sorted = calls.OrderBy(c => c.s).ToList();
        var folded = SessionActivity.First(sorted[0].s, sorted[0].Item2);
        foreach (var (s, e) in sorted.Skip(1))
            folded = SessionActivity.Extend(folded, s, e, 5 * Min);
        Assert.Equal(expected, folded);
    }

    [Fact]
    public void ACallEarlierThanTheLastFolded_CannotBeFoldedIn()
    {
        var state = SessionActivity.First(10 * Min, 11 * Min);
        Assert.False(SessionActivity.CanExtend(state, 9 * Min));
        Assert.Throws<ArgumentException>(() => SessionActivity.Extend(state, 9 * Min, 9 * Min, 5 * Min));
    }

    [Theory]
    [InlineData(999, false)]
    [InlineData(1_000, true)]
    [InlineData(86_400_000, true)]
    [InlineData(86_400_001, false)]
    public void Thresholds_AreBetweenOneSecondAndOneDay(long ms, bool valid) => Assert.Equal(valid, SessionActivity.Validate(ms) is null);

    [Fact]
    public void NoCalls_HaveNoState() => Assert.Null(SessionActivity.Of([], 5 * Min));
}
