using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Core.Tests.Sessions;

/// <summary>
/// SessionFigures and TraceFigures are folds the writer applies batch by batch and merges into stored rows: the figures
/// must not depend on the order spans are added in nor on how they are split into merged parts.
/// </summary>
public class FigureFoldTests
{
    private static SpanRecord Span(Random random, int i)
    {
        var start = 1_000_000L + random.Next(0, 5) * 1_000;
        var llm = random.Next(4) != 0;
        return new SpanRecord
        {
            // Ties on the start with ids that code point order and UTF-16 order sort differently.
            Id = (i % 2 == 0 ? "a\uE000" : "a\U0001F600") + i,
            TraceId = "t",
            ParentId = random.Next(3) == 0 ? null : "p",
            UserId = random.Next(3) == 0 ? null : $"u{random.Next(5)}",
            SessionId = random.Next(3) == 0 ? null : $"s{random.Next(3)}",
            SessionName = random.Next(4) == 0 ? $"n{random.Next(3)}" : null,
            Name = $"step{random.Next(4)}",
            Kind = llm ? SpanKind.Llm : SpanKind.Span,
            StartMs = start,
            EndMs = start + random.Next(0, 9_000),
            Usage = new TokenUsage(random.Next(100), random.Next(100), 0, 0),
            CostPico = random.Next(4) == 0 ? null : long.MaxValue / 8,
            Status = random.Next(4) == 0 ? SpanStatus.Error : SpanStatus.Ok,
        };
    }

    private static string Describe(SessionFigures f) =>
        $"{f.Turns} {f.StartedMs} {f.EndedMs} {f.CostPico} {f.UnpricedCalls} {f.InputTokens} {f.OutputTokens} {f.Errors} {f.LatencySumMs} " +
        $"{f.User.Value}@{f.User.StartMs}/{f.User.SpanId} {f.ExplicitName.Value}@{f.ExplicitName.StartMs}/{f.ExplicitName.SpanId}";

    private static string Describe(TraceFigures f) =>
        $"{f.SpanCount} {f.LlmCalls} {f.CostPico} {f.UnpricedCalls} {f.TotalTokens} {f.Errors} {f.StartedMs} {f.EndedMs} " +
        $"{f.Root.Value}@{f.Root.StartMs}/{f.Root.SpanId} {f.User.Value}@{f.User.SpanId} {f.Session.Value}@{f.Session.SpanId}";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AnyOrderAndAnySplit_GiveTheSameFigures(int seed)
    {
        var random = new Random(seed);
        var spans = Enumerable.Range(0, 40).Select(i => Span(random, i)).ToList();
        var session = SessionFigures.Of(spans);
        var trace = TraceFigures.Of(spans);
        // Past 2^63 picodollars in total: the fold is exact.
        Assert.True(session.CostPico > long.MaxValue);
        for (var round = 0; round < 20; round++)
        {
            var shuffled = spans.OrderBy(_ => random.Next()).ToList();
            var cut = random.Next(shuffled.Count + 1);
            var (sessionA, sessionB) = (SessionFigures.Of(shuffled[..cut]), SessionFigures.Of(shuffled[cut..]));
            sessionB.Merge(sessionA);
            Assert.Equal(Describe(session), Describe(sessionB));
            var (traceA, traceB) = (TraceFigures.Of(shuffled[..cut]), TraceFigures.Of(shuffled[cut..]));
            traceA.Merge(traceB);
            Assert.Equal(Describe(trace), Describe(traceA));
        }
    }

    [Fact]
    public void Earliest_TiesOnTheStart_GoToTheSmallerIdByCodePoint()
    {
        SpanRecord Call(string id, string user) => new() { Id = id, TraceId = "t", Name = "c", Kind = SpanKind.Llm, StartMs = 5, EndMs = 6, UserId = user };
        // By UTF-16 code unit "a\U0001F600" (0xD83D…) sorts first; by code point "a\uE000" does.
        var figures = SessionFigures.Of([Call("a\U0001F600", "emoji"), Call("a\uE000", "private-use")]);
        Assert.Equal("private-use", figures.User.Value);
        Assert.Equal("private-use", TraceFigures.Of([Call("a\U0001F600", "emoji"), Call("a\uE000", "private-use")]).User.Value);
    }
}
