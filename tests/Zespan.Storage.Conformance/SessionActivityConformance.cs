using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// Active time, idle gaps and names (issue 18) against a recomputation from the raw spans written here: random sessions
/// whose calls overlap, sit just under or over the threshold, arrive shuffled, re-sent, corrected to other times or
/// sessions, late (earlier than stored calls), removed by retention, and re-read after the threshold changes. The
/// reference merges intervals directly (not through SessionActivity), so both definitions must agree.
/// </summary>
public abstract class SessionActivityConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    private sealed record Expected(long ActiveMs, int IdleGaps, string? Name, long StartedMs, int Turns);

    /// <summary>Active time (ReferenceFigures.Activity: merged intervals) and the name, from the raw spans.</summary>
    private static Dictionary<string, Expected> Reference(IEnumerable<SpanRecord> spans, long threshold, Func<SpanRecord, string?> userText)
    {
        var result = new Dictionary<string, Expected>(StringComparer.Ordinal);
        foreach (var session in spans.Where(s => s.Kind == SpanKind.Llm && s.SessionId is not null).GroupBy(s => s.SessionId!))
        {
            var (active, gaps) = ReferenceFigures.Activity(session.Select(c => (c.StartMs, c.EndMs)), threshold);
            var ordered = session.OrderBy(s => s.StartMs).ThenBy(s => s.Id, CodePointOrder.Instance).ToList();
            var name = ordered.FirstOrDefault(s => s.SessionName is not null)?.SessionName ?? ordered.Select(userText).FirstOrDefault(t => t is not null);
            result[session.Key] = new Expected(active, gaps, name, session.Min(c => c.StartMs), session.Count());
        }
        return result;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(18)]
    [InlineData(404)]
    [InlineData(90210)]
    public async Task RandomSessions_ActiveTimeIdleGapsAndNames_MatchRecomputationFromRawSpans(int seed)
    {
        var random = new Random(seed);
        var sessions = Enumerable.Range(0, random.Next(12, 20)).Select(i => $"conv-{seed}-{i:00}").ToArray();
        var versions = new List<SpanRecord>();
        var ids = new List<string>();

        SpanRecord NewCall(string id, string session, long start)
        {
            var withText = random.NextDouble() < 0.6;
            var text = withText ? $"Question {random.Next(1000)} about order {id}" : null;
            var span = Llm(id, session, start, latencyMs: random.NextInt64(0, 90_000), costPico: random.NextDouble() < 0.2 ? null : random.NextInt64(1, 9_000_000)) with
            {
                InputJson = text is null
                    ? (random.NextDouble() < 0.5 ? null : """[{"role":"system","content":"be brief"}]""")
                    : $$"""[{"role":"system","content":"be brief"},{"role":"user","content":"{{text}}"}]""",
                SessionName = random.NextDouble() < 0.08 ? $"Named {id}" : null,
            };
            return span;
        }

        foreach (var session in sessions)
        {
            // Turns a few seconds to ~12 minutes apart (around the 5-minute threshold), some overlapping the previous one.
            var at = Day0 + random.NextInt64(2 * Day);
            for (var turn = random.Next(1, 14); turn > 0; turn--)
            {
                var id = $"{session}-t{turn:00}-{random.Next(0x1000):x3}";
                ids.Add(id);
                versions.Add(NewCall(id, session, at));
                at += random.NextDouble() < 0.2 ? -random.NextInt64(0, 30_000) : random.NextInt64(1_000, 720_000);
            }
        }
        // Re-sends, corrections to another time (sometimes another session), all shuffled.
        var events = new List<SpanRecord>(versions);
        foreach (var span in versions.ToList())
        {
            if (random.NextDouble() < 0.2)
                events.Add(span);
            if (random.NextDouble() < 0.15)
                events.Add(NewCall(span.Id, random.NextDouble() < 0.3 ? sessions[random.Next(sessions.Length)] : span.SessionId!,
                    span.StartMs + random.NextInt64(-900_000, 900_000)));
        }
        events = events.OrderBy(_ => random.Next()).ToList();

        // The user text as this test wrote it (read back with a pattern, not with the product's parser).
        static string? TextOf(SpanRecord s) => s.InputJson is { } json
            && System.Text.RegularExpressions.Regex.Match(json, "\"role\":\"user\",\"content\":\"([^\"]*)\"") is { Success: true } m ? m.Groups[1].Value : null;
        var written = new Dictionary<string, SpanRecord>(StringComparer.Ordinal);
        var position = 0;
        foreach (var checkpoint in new[] { events.Count / 2, events.Count })
        {
            while (position < checkpoint)
            {
                var batch = events.Skip(position).Take(Math.Min(random.Next(1, 25), checkpoint - position)).ToList();
                position += batch.Count;
                await WriteAsync(ProjectId, batch);
                foreach (var span in batch)
                    written[span.Id] = span;
            }
            await VerifyAsync(Reference(written.Values, SessionActivity.DefaultIdleGapMs, TextOf), $"seed {seed} after {position} writes");
        }

        // A late call earlier than every stored one, in a session that has calls.
        var late = NewCall($"{sessions[0]}-late", sessions[0], Day0 - Hour);
        await WriteAsync(late);
        written[late.Id] = late;
        await VerifyAsync(Reference(written.Values, SessionActivity.DefaultIdleGapMs, TextOf), $"seed {seed} after a late call");

        // Another threshold: every row is recomputed; then retention removes the oldest calls.
        foreach (var threshold in new long[] { 30_000, 600_000 })
        {
            await Store.SessionActivity.ApplyIdleGapAsync(ProjectId, threshold);
            Assert.Equal((threshold, true), await Store.SessionActivity.AppliedIdleGapAsync(ProjectId));
            var atThreshold = Reference(written.Values, threshold, TextOf);
            await VerifyAsync(atThreshold, $"seed {seed} at threshold {threshold}");
            // Counts by active time follow the recomputed rows (a store counting from a rollup moves it with them).
            foreach (var (low, high) in new (long?, long?)[] { (60_000, null), (null, 300_000), (30_000, 1_800_000), (45_001, 299_999) })
            {
                var expected = atThreshold.Values.Count(e => e.ActiveMs >= (low ?? long.MinValue) && e.ActiveMs <= (high ?? long.MaxValue));
                var counted = (await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = new SessionFilter { MinActiveMs = low, MaxActiveMs = high }, Limit = 1 })).TotalCount;
                Assert.True(expected == counted, $"seed {seed} at threshold {threshold}, active time in [{low}, {high}]: {counted} sessions, expected {expected}");
            }
        }
        var cutoff = Day0 + Day;
        await Store.Retention.DeleteSpansStartedBeforeAsync(ProjectId, cutoff, 7);
        foreach (var gone in written.Values.Where(s => s.StartMs < cutoff).ToList())
            written.Remove(gone.Id);
        var afterRetention = Reference(written.Values, 600_000, TextOf);
        await VerifyAsync(afterRetention, $"seed {seed} after retention");

        // Filters and sorts: counts and order from the reference, through the list, stats and overview.
        var actives = afterRetention.Values.Select(e => e.ActiveMs).Order().ToList();
        if (actives.Count == 0)
            return;
        var min = actives[actives.Count / 3];
        var max = actives[actives.Count * 2 / 3];
        var filter = new SessionFilter { MinActiveMs = min, MaxActiveMs = max };
        var matching = afterRetention.Where(e => e.Value.ActiveMs >= min && e.Value.ActiveMs <= max).ToList();
        var listed = await ListAllAsync(filter, SessionSort.ActiveDurationMs, descending: true, pageSize: 3);
        Assert.Equal(matching.OrderByDescending(e => e.Value.ActiveMs).ThenByDescending(e => e.Key, CodePointOrder.Instance).Select(e => e.Key), listed);
        Assert.Equal(matching.Count, (await Store.Sessions.StatsAsync(ProjectId, filter)).Sessions);
        Assert.Equal(matching.Count, (await Store.SessionOverview.OverviewAsync(ProjectId, filter)).Days.Sum(d => d.Sessions));

        var gapsSorted = await ListAllAsync(SessionFilter.None, SessionSort.IdleGapCount, descending: false, pageSize: 4);
        Assert.Equal(afterRetention.OrderBy(e => e.Value.IdleGaps).ThenBy(e => e.Key, CodePointOrder.Instance).Select(e => e.Key), gapsSorted);

        // q= over names and ids, case-insensitive.
        var named = afterRetention.Where(e => e.Value.Name is not null).Select(e => e.Value.Name!).FirstOrDefault();
        foreach (var q in new[] { named?[..Math.Min(12, named.Length)].ToUpperInvariant(), $"conv-{seed}-0", "no such text" })
        {
            if (q is null)
                continue;
            var expected = afterRetention.Where(e => e.Key.Contains(q, StringComparison.OrdinalIgnoreCase)
                || (e.Value.Name?.Contains(q, StringComparison.OrdinalIgnoreCase) ?? false)).Select(e => e.Key).Order(CodePointOrder.Instance);
            Assert.Equal(expected, (await ListAllAsync(new SessionFilter { Query = q }, SessionSort.StartedAt, false, 5)).Order(CodePointOrder.Instance));
        }
    }

    private async Task<List<string>> ListAllAsync(SessionFilter filter, SessionSort sort, bool descending, int pageSize)
    {
        var ids = new List<string>();
        SessionCursor? after = null;
        while (true)
        {
            var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = filter, Sort = sort, Descending = descending, Limit = pageSize, After = after });
            ids.AddRange(page.Items.Select(s => s.SessionId));
            if (page.NextCursor is null)
                return ids;
            SessionCursor.TryDecode(page.NextCursor, sort, descending, out after, out _);
        }
    }

    private async Task VerifyAsync(Dictionary<string, Expected> expected, string context)
    {
        var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Limit = 500 });
        Assert.Equal(expected.Keys.Order(CodePointOrder.Instance), page.Items.Select(s => s.SessionId).Order(CodePointOrder.Instance));
        foreach (var row in page.Items)
        {
            var e = expected[row.SessionId];
            Assert.True((e.ActiveMs, e.IdleGaps, e.Name) == (row.ActiveMs, row.IdleGaps, row.Name),
                $"{context}, session {row.SessionId}: expected active {e.ActiveMs} ms, {e.IdleGaps} gaps, name \"{e.Name}\"; stored {row.ActiveMs} ms, {row.IdleGaps} gaps, name \"{row.Name}\"");
        }
    }

    [Fact]
    public async Task Overview_CountsSessionsPerDay_CostPercentilesOverPricedSessions_AndTurnsBuckets()
    {
        await WriteAsync(
            Llm("a1", "a", Day0 + Hour, costPico: 10), Llm("a2", "a", Day0 + 2 * Hour, costPico: 30),
            Llm("b1", "b", Day0 + 3 * Hour, costPico: 100),
            Llm("c1", "c", Day0 + 4 * Hour, costPico: null),
            Llm("d1", "d", Day0 + Day + Hour, costPico: null), Llm("d2", "d", Day0 + Day + 2 * Hour, costPico: null), Llm("d3", "d", Day0 + Day + 3 * Hour, costPico: null));
        var overview = await Store.SessionOverview.OverviewAsync(ProjectId, SessionFilter.None);
        Assert.Equal([Day0, Day0 + Day], overview.Days.Select(d => d.DayMs));
        Assert.Equal((3L, 2L, (Int128?)70, (Int128?)100), (overview.Days[0].Sessions, overview.Days[0].PricedSessions, overview.Days[0].MedianCostPico, overview.Days[0].P95CostPico));
        // A day of unpriced sessions has an unknown cost per session, not $0.
        Assert.Equal((1L, 0L, (Int128?)null, (Int128?)null), (overview.Days[1].Sessions, overview.Days[1].PricedSessions, overview.Days[1].MedianCostPico, overview.Days[1].P95CostPico));
        Assert.Equal([2L, 1L, 1L, 0L, 0L, 0L, 0L, 0L], overview.Turns.Select(t => t.Sessions));
        var twoTurns = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = new SessionFilter { MinTurns = 2, MaxTurns = 2 } });
        Assert.Equal(["a"], twoTurns.Items.Select(s => s.SessionId));
        Assert.Equal(1, twoTurns.TotalCount);
    }
}
