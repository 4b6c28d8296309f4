using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ZespanSdk.Spans;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests;

/// <summary>The sampling rule of docs/sdk-spec.md against the shared golden fixture sdk/spec/fixtures/sampling.json.</summary>
public sealed class SamplingFixtureTests : IClassFixture<FakeServersFixture>
{
    private static readonly JsonObject Fixture = JsonNode.Parse(File.ReadAllText(
        Path.Combine(ZespanServerProcess.RepositoryRoot(), "sdk", "spec", "fixtures", "sampling.json")))!.AsObject();

    private readonly FakeServersFixture _servers;

    public SamplingFixtureTests(FakeServersFixture servers) => _servers = servers;

    private static IEnumerable<JsonObject> Vectors => Fixture["vectors"]!.AsArray().Select(v => v!.AsObject());

    [Fact]
    public void Hash_MatchesEveryVector()
    {
        Assert.Equal(Sampling.Rule, Fixture["rule"]!.GetValue<string>());
        Assert.All(Vectors, vector =>
        {
            string key = vector["key"]!.GetValue<string>();
            Assert.Equal(Convert.FromHexString(vector["utf8Hex"]!.GetValue<string>()), Encoding.UTF8.GetBytes(key));
            Assert.Equal(vector["hash"]!.GetValue<uint>(), Sampling.Hash32(key));
        });
    }

    [Fact]
    public async Task RootSpanOfASession_IsSampledAsTheFixtureSays_AtEveryRate()
    {
        double[] rates = [.. Fixture["rates"]!.AsArray().Select(r => r!.GetValue<double>()), 0, 1];
        foreach (double rate in rates)
        {
            await using ZespanTracer tracer = _servers.NewTracer(o => o.SampleRate = rate);
            foreach (JsonObject vector in Vectors)
            {
                string key = vector["key"]!.GetValue<string>();
                bool expected = vector["sampled"]![rate.ToString(CultureInfo.InvariantCulture)]?.GetValue<bool>() ?? rate >= 1;
                using (Zespan.Context(sessionId: key))
                using (SpanScope root = tracer.StartSpan("root"))
                using (SpanScope child = tracer.StartSpan("child"))
                {
                    Assert.True(expected == root.IsSampled, $"key '{key}' at rate {rate}");
                    Assert.Equal(root.IsSampled, child.IsSampled);
                }
            }
        }
    }

    [Fact]
    public async Task UnsampledSession_SendsNothing_SampledSessionSendsItsSpans()
    {
        // At rate 0.5: "conv-1" (fraction 0.062) is kept, "a" (fraction 0.104) too, "" (0.669) is dropped.
        await using ZespanTracer tracer = _servers.NewTracer(o => o.SampleRate = 0.5);
        string kept = "conv-1";
        string dropped = "";
        using (Zespan.Context(sessionId: kept))
        using (tracer.StartSpan("kept"))
        {
        }
        using (Zespan.Context(sessionId: dropped))
        using (tracer.StartSpan("dropped"))
        {
        }
        Assert.Single(await _servers.SpansOfSessionAsync(tracer, kept));
        Assert.Empty(await _servers.SpansOfSessionAsync(tracer, dropped));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void SampleRateOutOfRange_IsRefusedNamingTheKey(double rate)
    {
        var error = Assert.Throws<ArgumentException>(() => new ZespanTracer(new ZespanOptions { ApiKey = "zsp_x", SampleRate = rate }));
        Assert.Contains("Zespan:SampleRate", error.Message);
    }
}
