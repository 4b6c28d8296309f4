using Zespan.Core.Spans;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// The traces list filtered by status: its totalCount and its pages equal a recomputation from the spans as stored,
/// through every way a trace gains or loses its errors — a new errored span, a re-send that changes only the status
/// (replaced in place), a re-send that moves a span to another trace (rebuilt), a replacement beside new spans of the
/// same write, and retention. A backend that counts by status from a kept counter must move it on each of these.
/// </summary>
public abstract partial class TraceConformance
{
    private readonly Dictionary<string, SpanRecord> _stored = new(StringComparer.Ordinal);

    private async Task SendAsync(params SpanRecord[] spans)
    {
        await WriteAsync(spans);
        foreach (var span in spans)
            _stored[span.Id] = span;
    }

    /// <summary>Every status (none, error, ok), with and without a time range, whole and in pages of two.</summary>
    private async Task AssertListsMatchTheSpansAsync()
    {
        var traces = ReferenceFigures.Traces(_stored.Values).Values.ToList();
        foreach (var status in new SpanStatus?[] { null, SpanStatus.Error, SpanStatus.Ok })
        {
            foreach (var (from, to) in new (long?, long?)[] { (null, null), (Day0 + Hour, Day0 + 3 * Hour) })
            {
                var want = traces
                    .Where(t => status is null || (status == SpanStatus.Error) == (t.ErrorCount > 0))
                    .Where(t => (from is null || t.StartedMs >= from) && (to is null || t.StartedMs < to))
                    .OrderByDescending(t => t.StartedMs).ThenByDescending(t => t.TraceId, StringComparer.Ordinal)
                    .Select(t => t.TraceId).ToList();
                var query = new TraceQuery { Status = status, FromMs = from, ToMs = to, Limit = 2 };
                var seen = new List<string>();
                while (true)
                {
                    var page = await Store.Traces.ListAsync(ProjectId, query);
                    Assert.Equal(want.Count, page.TotalCount);
                    seen.AddRange(page.Items.Select(t => t.TraceId));
                    if (page.NextCursor is null)
                        break;
                    Assert.True(TraceCursor.TryDecode(page.NextCursor, out var after));
                    query = query with { After = after };
                }
                Assert.Equal(want, seen);
            }
        }
    }

    [Fact]
    public async Task ByStatus_CountAndPages_FollowEveryChangeOfATracesErrors()
    {
        // Another project's errored traces are not this project's.
        var other = await NewProjectAsync("Other");
        await WriteAsync(other, [Llm("o1", "os", Day0, traceId: "ot1", status: SpanStatus.Error), Llm("o2", "os", Day0 + 1, traceId: "ot2")]);

        await SendAsync(
            Llm("a1", "s1", Day0, traceId: "t1"),
            Llm("b1", "s1", Day0 + 10, traceId: "t1"),
            Llm("a2", "s2", Day0 + Hour, traceId: "t2", status: SpanStatus.Error),
            Llm("a3", "s3", Day0 + 2 * Hour, traceId: "t3"),
            Work("w4", "t4", Day0 + 2 * Hour),
            Llm("a5", "s5", Day0 + 4 * Hour, traceId: "t5", status: SpanStatus.Error));
        await AssertListsMatchTheSpansAsync();

        // A re-send that changes only the status: t1 gains an error, t2 loses its only one.
        await SendAsync(_stored["a1"] with { Status = SpanStatus.Error, Error = "rate limited" });
        await AssertListsMatchTheSpansAsync();
        await SendAsync(_stored["a2"] with { Status = SpanStatus.Ok, Error = null });
        await AssertListsMatchTheSpansAsync();

        // A new errored span in a stored trace with no error, then a second error in a trace that has one.
        await SendAsync(Llm("c3", "s3", Day0 + 2 * Hour + 5, traceId: "t3", status: SpanStatus.Error));
        await SendAsync(Llm("d3", "s3", Day0 + 2 * Hour + 6, traceId: "t3", status: SpanStatus.Error));
        await AssertListsMatchTheSpansAsync();

        // A re-send moving t1's errored span to t4: t1 loses its error, t4 gains one (both rebuilt).
        await SendAsync(_stored["a1"] with { TraceId = "t4" });
        await AssertListsMatchTheSpansAsync();

        // In one write: a new span of t5 and a re-send of its errored span as ok; t5 ends without an error.
        await SendAsync(Llm("b5", "s5", Day0 + 4 * Hour + 1, traceId: "t5"), _stored["a5"] with { Status = SpanStatus.Ok, Error = null });
        await AssertListsMatchTheSpansAsync();

        // Retention deletes the first hour's spans: the errored span of t4 and t1's last one go.
        Assert.True(await Store.Retention.DeleteSpansStartedBeforeAsync(ProjectId, Day0 + Hour, 1) > 0);
        foreach (var id in _stored.Values.Where(s => s.StartMs < Day0 + Hour).Select(s => s.Id).ToList())
            _stored.Remove(id);
        await AssertListsMatchTheSpansAsync();

        var others = await Store.Traces.ListAsync(other, new TraceQuery { Status = SpanStatus.Error });
        Assert.Equal((1L, "ot1"), (others.TotalCount, Assert.Single(others.Items).TraceId));
    }
}
