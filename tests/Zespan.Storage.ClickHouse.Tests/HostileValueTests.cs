using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>Values that would end, comment out or re-bind a spliced SQL literal travel as hex and come back unchanged.</summary>
public sealed class SqlBinderTests
{
    public static readonly string[] HostileStrings =
    [
        "'", "\\", "\\'", "'); DROP TABLE spans; --", "x' OR '1'='1", "{project:Int64}", "}{", "\0nul", "line\nbreak\ttab",
        "emoji 🤖 ☃ \u202e", "/* comment */", "`backtick`", "\"quoted\"", new string('\'', 1000),
    ];

    public static TheoryData<string> Hostile => new(HostileStrings);

    [Theory]
    [MemberData(nameof(Hostile))]
    public void AStringValue_BecomesHexDigitsOnly(string value)
    {
        var bound = SqlBinder.Bind("SELECT {v:String}", new Dictionary<string, object?> { ["v"] = value });
        Assert.Matches("^SELECT unhex\\('[0-9A-F]*'\\)$", bound);
    }

    [Fact]
    public void APlaceholderInsideAValue_IsNotBoundAgain()
    {
        var bound = SqlBinder.Bind("SELECT {a:String}, {b:Int64}", new Dictionary<string, object?> { ["a"] = "{b:Int64}", ["b"] = 7L });
        Assert.Equal("SELECT unhex('7B623A496E7436347D'), toInt64(7)", bound);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStringArray_ComesBackWhole_InBothBoundForms(bool withSeparatorInAValue)
    {
        // Bound as one string split on the server unless a value holds the separator (then one unhex per value).
        var values = HostileStrings.Append("").Append(withSeparatorInAValue ? "a\u001Fb" : "plain").ToList();
        var bound = SqlBinder.Bind("SELECT concat('h', hex(arrayJoin({a:Array(String)})))", new Dictionary<string, object?> { ["a"] = values });
        Assert.Equal(!withSeparatorInAValue, bound.Contains("splitByChar", StringComparison.Ordinal));
        var rows = Chdb.Instance.Query(bound, "TSV").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(values.Select(v => "h" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(v))), rows);
    }

    [Fact]
    public void AMissingParameter_IsRefused() =>
        Assert.Throws<ArgumentException>(() => SqlBinder.Bind("SELECT {v:String}", new Dictionary<string, object?>()));

    [Fact]
    public void NonFiniteNumbers_AreRefused() =>
        Assert.Throws<ArgumentException>(() => SqlBinder.Bind("SELECT {v:Float64}", new Dictionary<string, object?> { ["v"] = double.NaN }));

    [Fact]
    public void Identifiers_FromConfiguration_AreLettersDigitsAndUnderscoresOnly()
    {
        Assert.Throws<InvalidOperationException>(() => ClickHouseSettings.Create("http://127.0.0.1:8123", database: "zespan; DROP DATABASE x"));
        Assert.Throws<InvalidOperationException>(() => ClickHouseSettings.Create("http://127.0.0.1:8123", cluster: "a b"));
        Assert.Throws<InvalidOperationException>(() => ClickHouseSettings.Create("tcp://127.0.0.1:9000"));
        Assert.Equal(2, ClickHouseSettings.Create("http://a:8123, http://b:8123").Urls.Count);
    }
}

/// <summary>Hostile ids, users, tags and metadata written to the two-shard cluster are read back byte for byte.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class HostileValueRoundTripTests(ClickHouseCluster cluster)
{
    [Fact]
    public async Task HostileStrings_RoundTripThroughWritesFiltersAndLookups()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = 2_000_000_000L + Random.Shared.Next(1_000_000);
        var values = SqlBinderTests.HostileStrings;
        var spans = values.Select((v, i) => new SpanRecord
        {
            Id = "id-" + v + i, TraceId = "trace-" + v + i, SessionId = "session-" + v + i, UserId = "user-" + v, Name = "name-" + v,
            Kind = SpanKind.Llm, Model = "model-" + v, StartMs = 1_000 + i, EndMs = 2_000 + i, CostPico = 10 + i, Tags = [v],
            MetadataValues = new Dictionary<string, string> { ["k" + v] = v }, InputJson = "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
        }).ToList();
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());

        foreach (var span in spans)
        {
            var detail = await backend.Sessions.GetAsync(project, span.SessionId!);
            Assert.NotNull(detail);
            Assert.Equal(span.UserId, detail.Session.UserId);
            Assert.Equal(span.InputJson, Assert.Single(detail.Timeline).InputJson);
            var byUser = await backend.Sessions.ListAsync(project, new SessionQuery { Filter = new SessionFilter { UserId = span.UserId } });
            Assert.Contains(byUser.Items, s => s.SessionId == span.SessionId);
            var trace = await backend.Traces.GetAsync(project, span.TraceId);
            var stored = Assert.Single(trace!.Spans);
            Assert.Equal((span.Id, span.Name, span.Model, span.Tags.Single()), (stored.Id, stored.Name, stored.Model, stored.Tags.Single()));
            Assert.Equal(span.MetadataValues.Single(), stored.MetadataValues.Single());
            var byModel = await backend.Traces.ListAsync(project, new TraceQuery { Model = span.Model });
            Assert.Equal(span.TraceId, Assert.Single(byModel.Items).TraceId);
        }
        // Nothing was dropped or altered on the way: every session is still there.
        Assert.Equal(spans.Count, (await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 500 })).TotalCount);
    }
}
