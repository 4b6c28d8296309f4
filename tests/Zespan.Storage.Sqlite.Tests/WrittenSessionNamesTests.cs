using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// A session rebuilt after a re-send takes its derived name from the stored row and the write's own calls
/// (WrittenSessionNames) instead of probing every call's payload. Each case re-sends calls so that the shortcut must
/// either find the new earliest user message itself or give up and probe, and compares the name with the definition
/// recomputed here from every call the test has stored: the first user message of the earliest call, in (start, span
/// id) order, that has one.
/// </summary>
public sealed class WrittenSessionNamesTests : IAsyncLifetime
{
    private readonly Dictionary<string, SpanRecord> _stored = [];
    private SeededStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await SeededStore.CreateAsync(Plan.Free, "p");
        // Calls 0–9 of session "s"; calls 5 and 7 carry a user message, so the name is call 5's.
        await WriteAsync([.. Enumerable.Range(0, 10).Select(i => Call(i, i is 5 or 7 ? $"message {i}" : null))]);
    }

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private static SpanRecord Call(int i, string? userMessage, string session = "s") =>
        TestSpans.Llm($"call-{i}", session, TestSpans.Day0 + i * 1_000L) with
        {
            InputJson = userMessage is null ? """[{"role":"system","content":"be brief"}]""" : $$"""[{"role":"user","content":"{{userMessage}}"}]""",
        };

    public static TheoryData<string> Cases() => ["unrelated", "earlier", "lost", "moved later", "moved away", "twice", "none"];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TheNameAfterARebuildingReSend_IsTheDefinitions(string change)
    {
        SpanRecord[] resend = change switch
        {
            // A call without a user message changes its end (rebuilds): the name stands.
            "unrelated" => [_stored["call-2"] with { EndMs = _stored["call-2"].EndMs + 5 }],
            // An earlier call gains a user message: it becomes the name.
            "earlier" => [Call(2, "now earlier") with { EndMs = _stored["call-2"].EndMs + 5 }],
            // The name's call loses its user message: the next call with one (7) is the name.
            "lost" => [Call(5, null) with { EndMs = _stored["call-5"].EndMs + 5 }],
            // The name's call moves after call 7: call 7 is the name.
            "moved later" => [_stored["call-5"] with { StartMs = _stored["call-7"].StartMs + 1, EndMs = _stored["call-7"].StartMs + 2 }],
            // The name's call moves to another session: call 7 here, call 5 there.
            "moved away" => [_stored["call-5"] with { SessionId = "other" }],
            // One write carries call 3 twice: only the last version, without a user message, is stored.
            "twice" => [Call(3, "first version"), Call(3, null) with { EndMs = _stored["call-3"].EndMs + 9 }],
            // No call keeps a user message.
            "none" => [Call(5, null) with { EndMs = _stored["call-5"].EndMs + 5 }, Call(7, null) with { EndMs = _stored["call-7"].EndMs + 5 }],
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        await WriteAsync(resend);

        foreach (var session in new[] { "s", "other" })
        {
            var expected = _stored.Values.Where(c => c.SessionId == session)
                .OrderBy(c => c.StartMs).ThenBy(c => c.Id, CodePointOrder.Instance)
                .Select(c => SessionNames.FirstUserMessage(c.InputJson)).FirstOrDefault(name => name is not null);
            var detail = await _store.Storage.Sessions.GetAsync(_store.Project, session);
            Assert.Equal(expected, detail?.Session.Name);
        }
        if (change == "earlier")
            Assert.Equal("now earlier", (await _store.Storage.Sessions.GetAsync(_store.Project, "s"))!.Session.Name); // the recomputation is not vacuous
    }

    private async Task WriteAsync(SpanRecord[] spans)
    {
        await _store.Storage.SpanWriter.WriteAsync([.. spans.Select(s => new ProjectSpan(_store.Project, s))]);
        foreach (var span in spans)
            _stored[span.Id] = span;
    }
}
