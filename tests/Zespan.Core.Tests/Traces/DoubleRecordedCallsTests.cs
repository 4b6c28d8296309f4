using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Core.Tests.Traces;

public sealed class DoubleRecordedCallsTests
{
    private static SpanRecord Call(string id, string? parentId, string? model = "claude-sonnet-4-5", long input = 28, string traceId = "t") => new()
    {
        Id = id,
        TraceId = traceId,
        ParentId = parentId,
        Name = "chat " + id,
        Kind = SpanKind.Llm,
        Model = model,
        Usage = new TokenUsage(input, 11, 9, 0, 9),
    };

    [Fact]
    public void AnLlmSpanInsideAnotherWithTheSameModelAndTokens_IsOneCallRecordedTwice()
    {
        // The Anthropic SDK's own span (request model) around OpenInference's (response model, a dated snapshot).
        var outer = Call("sdk", "request", model: "claude-sonnet-4-5");
        var inner = Call("openinference", "sdk", model: "claude-sonnet-4-5-20250929");
        var root = new SpanRecord { Id = "request", TraceId = "t", Name = "POST /chat", Kind = SpanKind.Span };
        var pair = Assert.Single(DoubleRecordedCalls.In([root, inner, outer]));
        Assert.Equal(("sdk", "openinference"), (pair.Outer.Id, pair.Inner.Id));
        Assert.Contains("span openinference (\"chat openinference\") inside span sdk (\"chat sdk\") records the same call", DoubleRecordedCalls.Describe(pair));
    }

    [Fact]
    public void CallsThatDiffer_OrAreNotNested_AreNotPairs()
    {
        Assert.Empty(DoubleRecordedCalls.In([Call("a", null), Call("b", "a", input: 29)]));                 // other tokens: an agent's calls
        Assert.Empty(DoubleRecordedCalls.In([Call("a", null), Call("b", "a", model: "gpt-4o")]));          // another model
        Assert.Empty(DoubleRecordedCalls.In([Call("a", "root"), Call("b", "root")]));                      // siblings: two calls
        Assert.Empty(DoubleRecordedCalls.In([Call("a", null, traceId: "t1"), Call("b", "a", traceId: "t2")])); // the id in another trace
        Assert.Empty(DoubleRecordedCalls.In([Call("a", null), Call("b", "a") with { Kind = SpanKind.Span }])); // a tool span inside
        Assert.Empty(DoubleRecordedCalls.In([Call("a", null) with { UsageReported = false, Usage = default }, Call("b", "a") with { UsageReported = false, Usage = default }]));
    }
}
