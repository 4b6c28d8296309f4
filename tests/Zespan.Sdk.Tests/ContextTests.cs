using ZespanSdk.Context;

namespace ZespanSdk.Tests;

public sealed class ContextTests
{
    [Fact]
    public async Task Context_FlowsAcrossAwaits()
    {
        using (Zespan.Context(userId: "u1", sessionId: "s1"))
        {
            await Task.Yield();
            await Task.Delay(5);
            Assert.Equal("s1", AmbientContext.Current.SessionId);
            Assert.Equal("u1", await Task.Run(() => AmbientContext.Current.UserId));
        }
        Assert.Null(AmbientContext.Current.SessionId);
    }

    [Fact]
    public void NestedContexts_Merge_InnerValuesWin()
    {
        using (Zespan.Context(userId: "outer-user", sessionId: "outer-session", tags: ["a"], metadata: new Dictionary<string, object?> { ["k1"] = 1, ["k2"] = "outer" }))
        {
            using (Zespan.Context(sessionId: "inner-session", tags: ["b", "a"], metadata: new Dictionary<string, object?> { ["k2"] = "inner" }))
            {
                ContextState inner = AmbientContext.Current;
                Assert.Equal("outer-user", inner.UserId);
                Assert.Equal("inner-session", inner.SessionId);
                Assert.Equal(["a", "b"], inner.Tags);
                Assert.Equal(1, inner.Metadata["k1"]);
                Assert.Equal("inner", inner.Metadata["k2"]);
            }

            ContextState outer = AmbientContext.Current;
            Assert.Equal("outer-session", outer.SessionId);
            Assert.Equal(["a"], outer.Tags);
            Assert.Equal("outer", outer.Metadata["k2"]);
        }
    }

    [Fact]
    public async Task ConcurrentFlows_KeepTheirOwnContext()
    {
        using var everyoneInside = new Barrier(20);
        async Task<string?> Conversation(int n)
        {
            using (Zespan.Context(userId: $"user-{n}", sessionId: $"session-{n}"))
            {
                await Task.Run(() => everyoneInside.SignalAndWait(TimeSpan.FromSeconds(10)));
                await Task.Delay(Random.Shared.Next(1, 10));
                return AmbientContext.Current.SessionId;
            }
        }

        string?[] seen = await Task.WhenAll(Enumerable.Range(0, 20).Select(n => Task.Run(() => Conversation(n))));

        Assert.Equal(Enumerable.Range(0, 20).Select(n => $"session-{n}"), seen);
    }

    [Fact]
    public async Task ContextOpenedInsideAnAwaitedMethod_DoesNotLeakToTheCaller()
    {
        static async Task OpenAndForget()
        {
            Zespan.Context(sessionId: "leaky"); // never disposed on purpose
            await Task.Yield();
        }

        await OpenAndForget();

        Assert.Null(AmbientContext.Current.SessionId);
    }

    [Fact]
    public async Task StartSpan_NestsAndRestoresTheOuterSpan()
    {
        await using var tracer = new ZespanTracer(new ZespanOptions { ApiKey = "zsp_not_used_0000000000000", BaseUrl = "http://127.0.0.1:9" });
        using (SpanScope outer = tracer.StartSpan("outer"))
        {
            Assert.Null(outer.ParentId);
            using (SpanScope inner = tracer.StartSpan("inner"))
            {
                Assert.Equal(outer.Id, inner.ParentId);
                Assert.Equal(outer.TraceId, inner.TraceId);
                Assert.Equal(inner.Id, AmbientContext.Current.SpanId);
            }
            Assert.Equal(outer.Id, AmbientContext.Current.SpanId);
        }
        Assert.Null(AmbientContext.Current.SpanId);
        Assert.Null(AmbientContext.Current.TraceId);
    }
}
