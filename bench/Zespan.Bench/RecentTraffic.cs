using Zespan.Core.Spans;
using Zespan.DataGen;

namespace Zespan.Bench;

/// <summary>
/// The generated traffic the HTTP ingestion benchmarks post: 12 days ending at today's UTC midnight, so every span is
/// inside the default plan's 14-day window (the server refuses spans it would delete at once), and the same seed gives
/// the same sessions at any date. Not 13 days: the generator starts some sessions hours before its first day, and those
/// fell outside the window late in the UTC day (a run at 23:00 UTC had 367 of 60,497 spans refused).
/// <para>
/// Two options model what a server meets live. Random ids: span, trace and session ids as hex hashes, as SDKs send them
/// (the generator's own ids grow with the session number and put a run's inserts side by side in every id index).
/// Live: every session starts within one hour ending 3 hours ago (after a base made to today's midnight, from 03:00
/// UTC on), as traffic arrives when it happens; by default the run replays 12 days of history, which scatters its rows
/// over every time-ordered index of a base.
/// </para>
/// </summary>
public static class RecentTraffic
{
    public static GenerationPlan Plan(int sessions, int seed = 7, bool randomIds = false, bool live = false) => new()
    {
        Seed = seed,
        Sessions = sessions,
        Users = Math.Max(100, sessions / 5),
        Days = live ? 1.0 / 24 : 12,
        End = live ? DateTimeOffset.UtcNow : new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero),
        RandomIds = randomIds,
    };

    /// <summary>The traffic options of a benchmark's command line: --ids ordered|random, --time history|live.</summary>
    public static (bool RandomIds, bool Live) Options(string ids, string time) => (
        GenerationPlan.ParseRandomIds(ids),
        time switch { "live" => true, "history" => false, _ => throw new ArgumentException("--time must be history or live.") });

    /// <summary>
    /// The traffic order of a benchmark's command line (--order session|start). By default each session's spans go
    /// together, so one write holds most sessions whole; in start order, as calls happen, a session's calls fall into
    /// several writes, each of which updates its row, tags and metadata again.
    /// </summary>
    public static bool InStartOrder(string order) => order switch
    {
        "session" => false,
        "start" => true,
        _ => throw new ArgumentException("--order must be session or start."),
    };

    /// <summary>The spans as a benchmark sends them: as generated (session by session), or in start order.</summary>
    public static List<SpanRecord> Ordered(IEnumerable<SpanRecord> spans, bool inStartOrder) =>
        inStartOrder ? [.. spans.OrderBy(s => s.StartMs).ThenBy(s => s.Id, StringComparer.Ordinal)] : [.. spans];

    public static string Describe(GenerationPlan plan, bool inStartOrder) =>
        $"{(plan.RandomIds ? "random" : "ordered")} ids, {(plan.Days < 1 ? "live" : $"{plan.Days:0} days of")} traffic, {(inStartOrder ? "in start order" : "session by session")}";
}
