using Zespan.Core;
namespace Zespan.Storage.Sqlite.Tests;

/// <summary>How a session-start range splits into whole UTC hours (from the rollup) and exact partial-hour edges.</summary>
public sealed class HourRangeTests
{
    private const long H = HourRange.HourMs;
    private static readonly long T = new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void UnalignedEnds_BecomeEdges_AroundTheWholeHours()
    {
        var range = HourRange.Split(T + 90 * 60_000, T + 5 * H + 1);
        Assert.True(range.HasWholeHours);
        Assert.Equal((T + 2 * H, T + 5 * H), (range.WholeFromMs!.Value, range.WholeToMs!.Value));
        Assert.Equal([(T + 90 * 60_000, T + 2 * H), (T + 5 * H, T + 5 * H + 1)], range.Edges.Select(e => (e.FromMs!.Value, e.ToMs!.Value)));
    }

    [Fact]
    public void AlignedEnds_HaveNoEdges_AndOpenEndsStayOpen()
    {
        var aligned = HourRange.Split(T, T + 3 * H);
        Assert.Empty(aligned.Edges);
        var open = HourRange.Split(null, T + 30 * 60_000);
        Assert.Null(open.WholeFromMs);
        Assert.Equal(T, open.WholeToMs);
        Assert.Equal([(T, T + 30 * 60_000)], open.Edges.Select(e => (e.FromMs!.Value, e.ToMs!.Value)));
        Assert.True(HourRange.Split(null, null).HasWholeHours);
        Assert.Empty(HourRange.Split(null, null).Edges);
    }

    [Fact]
    public void RangeWithoutAWholeHour_IsOneEdge_AndAnEmptyRangeHasNone()
    {
        var inside = HourRange.Split(T + 10, T + H + 5);
        Assert.False(inside.HasWholeHours);
        Assert.Equal([(T + 10, T + H + 5)], inside.Edges.Select(e => (e.FromMs!.Value, e.ToMs!.Value)));
        Assert.Empty(HourRange.Split(T + 50, T + 50).Edges);
        Assert.Empty(HourRange.Split(T + 50, T + 10).Edges);
    }

    [Fact]
    public void TimesBefore1970_FloorDownward()
    {
        Assert.Equal(-H, HourRange.Floor(-1));
        Assert.Equal(0, HourRange.Ceiling(-1));
    }
}
