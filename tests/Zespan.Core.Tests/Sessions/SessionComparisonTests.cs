using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Transcripts;
using Zespan.Core.Spans;

namespace Zespan.Core.Tests.Sessions;

public sealed class SessionComparisonTests
{
    private static TimelineEntry Call(int n, string model, long latency, long? cost, int input = 100, int output = 10, string? outputJson = null) =>
        new($"s{n}", "t", "chat", model, n * 10_000, n * 10_000 + latency, new TokenUsage(input, output, 0, 0), cost, SpanStatus.Ok, null, null, outputJson);

    private static SessionDetail Detail(params TimelineEntry[] calls) =>
        new(new SessionSummary("c", null, calls[0].StartMs, calls[^1].EndMs, calls.Length, calls.Sum(c => c.CostPico ?? 0), calls.Count(c => c.CostPico is null),
            calls.Sum(c => c.Usage.InputTokens), calls.Sum(c => c.Usage.OutputTokens), 0, calls.Sum(c => c.LatencyMs)), calls);

    [Fact]
    public void Figures_RecomputedFromTheCalls()
    {
        var latencies = new long[] { 900, 100, 500, 300, 700, 200 };
        var calls = latencies.Select((l, i) => Call(i + 1, i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini", l, i == 0 ? null : (i + 1) * 1_000L,
            outputJson: i == 2 ? """{"role":"assistant","tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}},{"id":"b","function":{"name":"g","arguments":"{}"}}]}""" : null)).ToArray();

        var compared = SessionComparison.Compare(Detail(calls));

        var sorted = latencies.Order().ToArray();
        Assert.Equal((sorted[2] + sorted[3]) / 2, compared.LatencyP50Ms);
        Assert.Equal(sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1], compared.LatencyP95Ms);
        Assert.Equal([null, 2_000L, 5_000L, 9_000L, 14_000L, 20_000L], compared.CumulativeCostPico.Select(c => (long?)c));
        Assert.Equal(2, compared.ToolCalls);
        var big = compared.ByModel.Single(m => m.Model == "gpt-4o");
        Assert.Equal((3, 300L, 30L, (Int128)(3_000L + 5_000L), 1), (big.Calls, big.InputTokens, big.OutputTokens, big.CostPico!.Value, big.UnpricedCalls));
        Assert.Equal((Int128?)(2_000L + 4_000L + 6_000L), compared.ByModel.Single(m => m.Model == "gpt-4o-mini").CostPico);
    }

    [Fact]
    public void ModelWithNoPricedCall_CostIsUnknownNotZero()
    {
        var compared = SessionComparison.Compare(Detail(Call(1, "mystery", 100, null), Call(2, "gpt-4o", 100, 0)));
        Assert.Null(compared.ByModel.Single(m => m.Model == "mystery").CostPico);
        Assert.Equal((Int128?)0, compared.ByModel.Single(m => m.Model == "gpt-4o").CostPico);
        Assert.Equal([null, 0L], compared.CumulativeCostPico.Select(c => (long?)c));
    }
}
