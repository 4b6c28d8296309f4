using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// Trace-context inheritance with two writers at once (two servers, each with its own clock's versions): a trace's calls
/// through one and its root through the other, both writes started together. Whichever INSERT lands first, the other
/// writer's lookup after its own INSERT finds it (TraceContextInheritance), so every call ends in the root's session.
/// Also the bound of one write's pass down a chain stored one span per request (MaxLevelsPerWrite).
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class TraceContextRaceTests(ClickHouseCluster cluster)
{
    private static SpanRecord Marked(SpanRecord span) => span with { InheritsTraceContext = true };

    [Fact]
    public async Task ATraceSplitBetweenTwoWriters_WrittenAtOnce_EveryCallTakesTheRootsSessionAndUser()
    {
        var (a, control) = await cluster.SharedStoresAsync();
        var b = await ClickHouseBackend.CreateAsync(a.Http.Settings); // a second server on the same database
        var organization = await control.Organizations.CreateAsync("race org", Plan.Free);
        var projectId = (await control.Projects.CreateProjectAsync(organization.Id, "race")).Id;
        var random = new Random(3);
        var all = new List<SpanRecord>();
        for (var wave = 0; wave < 4; wave++)
        {
            var writes = new List<Task>();
            for (var t = 0; t < 8; t++)
            {
                var trace = $"race-{wave}-{t}";
                var root = Marked(Work($"{trace}-root", trace, Day0, latencyMs: 60_000) with { SessionId = $"s{random.Next(5)}", UserId = $"u{random.Next(3)}" });
                var agent = Marked(Work($"{trace}-agent", trace, Day0 + 10, parentId: root.Id));
                var calls = Enumerable.Range(0, 3).Select(i => Marked(Llm($"{trace}-c{i}", null, Day0 + 100 * (i + 1), costPico: random.Next(1, 9_000), traceId: trace,
                    parentId: agent.Id))).ToList();
                all.AddRange([root, agent, .. calls]);
                // The agent goes with the calls in half the traces and with the root in the other half.
                List<SpanRecord> viaA = t % 2 == 0 ? [.. calls, agent] : calls, viaB = t % 2 == 0 ? [root] : [agent, root];
                writes.Add(a.SpanWriter.WriteAsync(viaA.Select(s => new ProjectSpan(projectId, s)).ToList()));
                writes.Add(b.SpanWriter.WriteAsync(viaB.Select(s => new ProjectSpan(projectId, s)).ToList()));
            }
            await Task.WhenAll(writes);
        }

        var byId = all.ToDictionary(s => s.Id);
        var expected = all.Select(s => s.SessionId is not null ? s : s with { SessionId = byId[s.TraceId + "-root"].SessionId, UserId = byId[s.TraceId + "-root"].UserId }).ToList();
        var sessions = ReferenceFigures.Sessions(expected);
        var page = await a.Sessions.ListAsync(projectId, new SessionQuery { Limit = 100 });
        Assert.Equal(sessions.Keys.Order(StringComparer.Ordinal), page.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
        foreach (var row in page.Items)
            Compare.Session(sessions[row.SessionId], row, "two writers");
        foreach (var trace in all.Select(s => s.TraceId).Distinct())
        {
            var stored = (await b.Traces.GetAsync(projectId, trace))!.Spans;
            Assert.All(stored, s => Assert.True(s.SessionId is not null && s.UserId is not null, $"{s.Id} was left without its root's session or user"));
        }
    }

    [Fact]
    public async Task ARootArrivingLast_PassesItsContextDownAtMost64Levels_InItsWrite()
    {
        var (backend, control) = await cluster.SharedStoresAsync();
        var organization = await control.Organizations.CreateAsync("depth org", Plan.Free);
        var projectId = (await control.Projects.CreateProjectAsync(organization.Id, "depth")).Id;
        const int depth = TraceContextInheritance.MaxLevelsPerWrite + 2;
        // A chain sent one span per request, deepest first; the root (level 0) last.
        for (var level = depth; level >= 1; level--)
            await Write(backend, projectId, Marked(Work($"n{level}", "deep", Day0 + level, parentId: level == 1 ? "root" : $"n{level - 1}")));
        await Write(backend, projectId, Marked(Work("root", "deep", Day0) with { SessionId = "s-deep", UserId = "u-deep" }));

        var stored = (await backend.Traces.GetAsync(projectId, "deep"))!.Spans.ToDictionary(s => s.Id);
        for (var level = 1; level <= depth; level++)
        {
            var expected = level <= TraceContextInheritance.MaxLevelsPerWrite ? "s-deep" : null;
            Assert.True(stored[$"n{level}"].SessionId == expected, $"level {level}: {stored[$"n{level}"].SessionId ?? "no session"}, expected {expected ?? "none"}");
        }
    }

    private static Task Write(ClickHouseBackend backend, long projectId, SpanRecord span) => backend.SpanWriter.WriteAsync([new ProjectSpan(projectId, span)]);
}
