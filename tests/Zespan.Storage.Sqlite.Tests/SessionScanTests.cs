using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The rebuild's one pass over a session's calls (SessionScan) reads tags and metadata as UTF-8 without making a string
/// per value, and skips the strings of calls that cannot be the earliest user or name. Each shortcut must give what the
/// definitions give (MetadataValues.Flatten and SessionGrouping per call, SessionFigures over the calls): these calls
/// carry the cases a byte-level reader can get wrong — a repeated key, a repeated key whose later value cannot be a
/// group, escapes in keys and values, lengths counted in UTF-16 characters, numbers and booleans, more values than the
/// cap, tags equal to and different from the previous call's, and a user and an explicit name first given late.
/// </summary>
public sealed class SessionScanTests : IAsyncLifetime
{
    private SeededStore _store = null!;

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private static List<SpanRecord> Calls()
    {
        var longKey = new string('k', MetadataValues.MaxKeyLength + 1);
        var calls = new List<SpanRecord>
        {
            Call(0, """{"k":"z","k":{"nested":1}}""", ["t1"]),
            Call(1, """{"k":"b","k":"a"}""", ["t1"]),
            Call(2, """{"k":"\u00e9","n":12.50,"b":true,"nul":null,"arr":[1,2],"k\u0065y2":"x"}""", ["t2", "t1"]),
            Call(3, $$"""{"{{longKey}}":"v","k":"{{new string('é', MetadataValues.MaxValueLength)}}"}""", ["t1"]) with { UserId = "u-late" },
            // Same start as call 3, a later span id: not the earliest user.
            Call(3, """{"k":"a\"b"}""", ["t1"], suffix: "a") with { UserId = "u-tie" },
            Call(4, $$"""{"k":"{{new string('a', MetadataValues.MaxValueLength + 1)}}","key2":"w"}""", []) with { SessionName = "named", UserId = "u-later" },
            Call(5, """{"k":"\ud83d\ude00"}""", ["t3"]) with { SessionName = "later name" },
        };
        calls.AddRange(Enumerable.Range(6, 24).Select(i => Call(i, $$"""{"k":"v{{30 - i:D2}}","n":{{i}}}""", ["t1"])));
        return calls;
    }

    private static SpanRecord Call(int i, string metadataJson, string[] tags, string suffix = "") =>
        TestSpans.Llm($"call-{i:D2}{suffix}", "scan", TestSpans.Day0 + i * 1_000L) with
        {
            MetadataJson = metadataJson,
            MetadataValues = MetadataValues.Flatten(metadataJson),
            Tags = tags,
        };

    [Fact]
    public async Task ARebuiltSession_HasTheDefinitionsGroupsUserAndName()
    {
        var calls = Calls();
        await WriteAsync(calls);
        // A changed end rebuilds the session from its calls (SessionScan); the first write folded them in.
        var moved = calls[^1] with { EndMs = calls[^1].EndMs + 7 };
        await WriteAsync([moved]);
        calls[^1] = moved;

        var expectedGroups = MetadataValues.SessionGrouping(calls.SelectMany(c => MetadataValues.Flatten(c.MetadataJson).Select(p => (p.Key, p.Value))))
            .Select(p => (p.Key, p.Value)).OrderBy(p => p, Ordinal).ToList();
        Assert.Contains(("k", "a\"b"), expectedGroups); // the cases are really in the expectation
        Assert.DoesNotContain(expectedGroups, p => p.Item1.Length > MetadataValues.MaxKeyLength);
        Assert.Equal(expectedGroups, (await RowsAsync("SELECT key, value FROM session_metadata WHERE session_id = 'scan'")).OrderBy(p => p, Ordinal).ToList());
        Assert.Equal(calls.SelectMany(c => c.Tags).Distinct().Order(StringComparer.Ordinal),
            (await RowsAsync("SELECT tag, '' FROM session_tags WHERE session_id = 'scan'")).Select(r => r.Item1).Order(StringComparer.Ordinal));

        var figures = SessionFigures.Of(calls);
        var session = (await _store.Storage.Sessions.GetAsync(_store.Project, "scan"))!.Session;
        Assert.Equal(("u-late", "named"), (figures.User.Value, figures.ExplicitName.Value)); // the definition picks these
        Assert.Equal((figures.User.Value, figures.ExplicitName.Value, figures.Turns, figures.EndedMs), (session.UserId, session.Name, session.Turns, session.EndedMs));
    }

    private static readonly Comparer<(string, string)> Ordinal = Comparer<(string, string)>.Create((a, b) =>
        string.CompareOrdinal(a.Item1, b.Item1) is var keys and not 0 ? keys : string.CompareOrdinal(a.Item2, b.Item2));

    private Task WriteAsync(IEnumerable<SpanRecord> spans) => _store.Storage.SpanWriter.WriteAsync([.. spans.Select(s => new ProjectSpan(_store.Project, s))]);

    private async Task<List<(string, string)>> RowsAsync(string sql)
    {
        await using var connection = await _store.Storage.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }
}
