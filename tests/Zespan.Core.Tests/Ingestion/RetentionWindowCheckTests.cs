using System.Text;
using Zespan.Core.Ingestion;
using Zespan.Core.Projects;

namespace Zespan.Core.Tests.Ingestion;

public sealed class RetentionWindowCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static string Item(string id, DateTimeOffset start) =>
        $$"""{"id":"{{id}}","traceId":"t","name":"n","kind":"span","startTime":"{{start:yyyy-MM-ddTHH:mm:ss.fff}}Z","endTime":"{{start.AddSeconds(1):yyyy-MM-ddTHH:mm:ss.fff}}Z"}""";

    private static ParsedBatch Parse(params string[] items) =>
        new BatchParser(new SpanParser(new FixedClock(Now))).Parse(Encoding.UTF8.GetBytes("{\"batch\":[" + string.Join(",", items) + "]}"));

    [Fact]
    public void OldSpans_AreRefusedAtTheirOwnIndex_WithTheReason()
    {
        var batch = Parse(
            Item("old-0", Now.AddDays(-20)),
            """{"id":"broken-1"}""",
            Item("kept-2", Now.AddDays(-13)),
            Item("old-3", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            Item("kept-4", Now.AddMinutes(-1)));

        var refusals = batch.Spans.Select(s => RetentionWindowCheck.Refusal(s, Plan.Free, Now)).OfType<ItemError>().ToList();

        Assert.Equal([(0, "old-0"), (3, "old-3")], refusals.Select(e => (e.Index, e.Id)));
        Assert.Equal(
            "\"startTime\" (2020-01-01T00:00:00.000Z) is older than the Free plan keeps data (14 days, so nothing before 2026-11-17T12:00:00.000Z); " +
            "it would be deleted at once. Send a recent start time, or move the organisation to a plan with a longer window.",
            refusals[1].Message);
    }

    [Theory]
    [InlineData(Plan.Free, 14)]
    [InlineData(Plan.Scale, 365)]
    public void TheBoundary_IsTheRetentionWorkersOne(Plan plan, int days)
    {
        var edge = Now.AddDays(-days);
        var batch = Parse(Item("at-edge", edge), Item("just-before", edge.AddMilliseconds(-1)));
        var refused = batch.Spans.Where(s => RetentionWindowCheck.Refusal(s, plan, Now) is not null).Select(s => s.Span.Id);
        Assert.Equal(["just-before"], refused);
    }
}
