using Zespan.DataGen;

namespace Zespan.Bench;

/// <summary>
/// The generated traffic the HTTP ingestion benchmarks post: 12 days ending at today's UTC midnight, so every span is
/// inside the default plan's 14-day window (the server refuses spans it would delete at once), and the same seed gives
/// the same sessions at any date. Not 13 days: the generator starts some sessions hours before its first day, and those
/// fell outside the window late in the UTC day (a run at 23:00 UTC had 367 of 60,497 spans refused).
/// </summary>
public static class RecentTraffic
{
    public static GenerationPlan Plan(int sessions, int seed = 7) => new()
    {
        Seed = seed,
        Sessions = sessions,
        Users = Math.Max(100, sessions / 5),
        Days = 12,
        End = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero),
    };
}
