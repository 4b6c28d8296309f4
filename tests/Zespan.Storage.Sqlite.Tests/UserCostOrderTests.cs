using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The breakdown by user read from the per-user totals in cost order (migration 370, UserBreakdown's index walk) must
/// equal the breakdown recomputed from the stored spans — groups, sums, unknown costs after $0, ties broken by user —
/// for every limit, through re-sent spans that move sessions between users and hours, late earlier calls and retention.
/// The data is made to stress the walk's stop: many users with equal totals (ties at the cut), users whose sessions are
/// all unpriced or all $0, and users whose all-time total passes 2^63 picodollars (ordered by both parts of the cost).
/// </summary>
public sealed class UserCostOrderTests
{
    private const long Whale = 1_000_000_000_000_000_000; // $1,000,000 a call: ten of them pass 2^63 picodollars

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(2026)]
    public async Task BreakdownByUser_InCostOrder_EqualsTheRecomputationFromSpans_ThroughResendsLateSpansAndRetention(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p", "other");
        var (storage, project, other) = (store.Storage, store.Project, store.OtherProject);
        // The stored spans as this test knows them: a re-sent span (same id) replaces the earlier one.
        var spans = new Dictionary<(long Project, string Id), SpanRecord>();
        var next = 0;
        ProjectSpan Remember(long projectId, SpanRecord span)
        {
            spans[(projectId, span.Id)] = span;
            return new ProjectSpan(projectId, span);
        }

        var written = new List<ProjectSpan>();
        var sent = (Mine: new List<SpanRecord>(), Theirs: new List<SpanRecord>());
        for (var session = 0; session < 220; session++)
        {
            var projectId = session % 7 == 0 ? other : project;
            var user = RandomUser(random);
            var start = Day0 + random.NextInt64(4 * Day);
            var turns = random.Next(1, 4);
            // Each session of a kind: whale calls, all unpriced, all $0, or one of two round prices (many equal totals)
            // near 2^32 picodollars, so a user's lower parts add past 2^32 and only the carried pair orders its total.
            var kind = user is "whale-a" or "whale-b" ? 0 : random.Next(10) switch { 0 => 1, 1 => 2, _ => 3 };
            for (var turn = 0; turn < turns; turn++)
            {
                long? cost = kind switch { 0 => Whale, 1 => null, 2 => 0, _ => random.Next(2) == 0 ? 1_500_000_000 : 2_500_000_000 };
                var id = $"span-{next++}";
                written.Add(Remember(projectId, Llm(id, $"session-{session}", start + turn * 60_000, costPico: cost, userId: user, traceId: $"trace-{id}")));
                (session % 7 == 0 ? sent.Theirs : sent.Mine).Add(written[^1].Span);
            }
        }
        foreach (var batch in written.OrderBy(_ => random.Next()).Chunk(53))
            await storage.SpanWriter.WriteAsync(batch);
        await store.AssertHoldsWhatWasSentAsync(sent.Mine, sent.Theirs);
        await AssertBreakdownsAgreeAsync(storage, spans, random, project, other);

        // Re-sent spans: an earlier call naming another user (the session moves to that user), a start moved a day,
        // a new price or none; and late calls, earlier than their session's first, with their own user. A third of the
        // late calls cost less than nothing: ingestion never makes one (prices and costUsd are ≥ 0), but the walk must
        // not rely on it, so a user whose sessions outside the range are negative is still read when the walk stops.
        var resent = spans.OrderBy(_ => random.Next()).Take(70).Select(s => Remember(s.Key.Project, random.Next(4) switch
        {
            0 => s.Value with { StartMs = s.Value.StartMs - 10 * 60_000, EndMs = s.Value.EndMs - 10 * 60_000, UserId = RandomUser(random) },
            1 => s.Value with { StartMs = s.Value.StartMs + Day, EndMs = s.Value.EndMs + Day },
            2 => random.Next(3) == 0 ? s.Value with { CostPico = null, CostSource = CostSource.None } : s.Value with { CostPico = 500_000_000 * random.Next(4), CostSource = CostSource.BuiltInTable },
            _ => s.Value with { CostPico = Whale, CostSource = CostSource.BuiltInTable },
        })).ToList();
        var late = Enumerable.Range(0, 30).Select(i =>
        {
            var session = random.Next(220);
            var id = $"late-{i}";
            return Remember(session % 7 == 0 ? other : project, Llm(id, $"session-{session}", Day0 - random.NextInt64(Hour), costPico: i % 3 == 0 ? -4_500_000_000 : 1_500_000_000, userId: RandomUser(random), traceId: $"trace-{id}"));
        }).ToList();
        await storage.SpanWriter.WriteAsync(resent);
        await storage.SpanWriter.WriteAsync(late);
        await AssertBreakdownsAgreeAsync(storage, spans, random, project, other);

        var cutoff = Day0 + Day + random.NextInt64(Day);
        await storage.Retention.DeleteSpansStartedBeforeAsync(project, cutoff, batchSize: 11);
        foreach (var key in spans.Keys.Where(k => k.Project == project && spans[k].StartMs < cutoff).ToList())
            spans.Remove(key);
        await AssertBreakdownsAgreeAsync(storage, spans, random, project, other);
    }

    /// <summary>Two whales, many ordinary users, the empty user id and no user at all.</summary>
    private static string? RandomUser(Random random) => random.Next(20) switch
    {
        0 => null,
        1 => "",
        2 => "whale-a",
        3 => "whale-b",
        _ => $"user-{random.Next(30):D2}",
    };

    private static async Task AssertBreakdownsAgreeAsync(SqliteStorage storage, Dictionary<(long Project, string Id), SpanRecord> spans, Random random, params long[] projectIds)
    {
        await using (var connection = await storage.Database.OpenAsync())
        await using (var command = new SqliteCommand("SELECT COUNT(*) FROM user_session_totals WHERE cost_low NOT BETWEEN 0 AND 4294967295", connection))
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!); // normalized, so (cost_high, cost_low) orders by cost

        foreach (var projectId in projectIds)
        {
            var sessions = spans.Where(s => s.Key.Project == projectId).GroupBy(s => s.Value.SessionId!).Select(g => SessionFigures.Of(g.Select(s => s.Value))).ToList();
            var walked = 0;
            for (var i = 0; i < 30; i++)
            {
                // Wide ranges (the totals path, with sessions outside on either side), narrow ones, open ends.
                long? from = random.Next(3) == 0 ? null : Day0 - Hour + random.NextInt64(i % 3 == 0 ? 3 * Day : Day);
                long? to = random.Next(3) == 0 ? null : (from ?? Day0) + random.NextInt64(1, 6 * Day);
                var filter = new SessionFilter { FromMs = from, ToMs = to };
                var inRange = sessions.Where(s => (from is null || s.StartedMs >= from) && (to is null || s.StartedMs < to)).ToList();
                foreach (var limit in new[] { 1, 2, 3, random.Next(4, 12), 40, -1 })
                {
                    var expected = Expected(inRange, limit);
                    Assert.Equal(expected, await storage.Sessions.BreakdownAsync(projectId, new SessionGrouping.ByUser(), filter, limit));

                    await using var connection = await storage.Database.OpenAsync();
                    var projectSessions = await SessionCountAsync(connection, projectId);
                    if (await UserBreakdown.TryReadAsync(connection, projectId, filter, projectSessions, limit, default) is { } byTotals)
                    {
                        Assert.Equal(expected, byTotals);
                        walked++;
                    }
                }
            }
            Assert.True(walked > 0, "the totals path never answered");
        }
    }

    /// <summary>The definition: sessions grouped by their user, unknown costs last, cost descending, then by user in code point order, no user first.</summary>
    private static List<SessionGroupCost> Expected(List<SessionFigures> sessions, int limit)
    {
        var groups = sessions
            .GroupBy(s => s.User.Value)
            .Select(g => new SessionGroupCost(g.Key, g.Count(), g.Aggregate(Int128.Zero, (t, s) => t + s.CostPico), g.Sum(s => s.Turns), g.Sum(s => s.TotalTokens), g.Count(s => s.CostUnknown)))
            .OrderBy(g => g.Sessions == g.UnpricedSessions).ThenByDescending(g => g.TotalCostPico).ThenBy(g => g.Group is null ? 0 : 1).ThenBy(g => g.Group, StringComparer.Ordinal);
        return (limit < 0 ? groups : groups.Take(limit)).ToList();
    }

    private static async Task<long> SessionCountAsync(SqliteConnection connection, long projectId)
    {
        await using var command = new SqliteCommand("SELECT COUNT(*) FROM sessions WHERE project_id = $p", connection);
        command.Parameters.AddWithValue("$p", projectId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
