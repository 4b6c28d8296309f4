namespace Zespan.Storage.Sqlite;

/// <summary>
/// The condition that picks a bucket's days [$from, $to) of project $p in a per-kind table keyed by day first
/// (session_kind_costs since migration 440, the per-kind trend rollups since 450, so a commit of today's traffic writes
/// one range of each). A range on day would leave the kind and band out of the key: it would read every kind's rows of
/// those days. The bucket's UTC days are listed instead, and SQLite seeks one range per day (KindCostDaysTests asserts
/// the plans). The list is cut to the table's first and last stored day of the project (two seeks of the key), so an
/// open range (long.MinValue, long.MaxValue) lists only the days between them.
/// </summary>
internal static class KindCostDays
{
    private const long Day = Zespan.Core.Sessions.Trends.TimeBuckets.DayMs;

    /// <summary>Each UTC day from the first at or after $from (and the project's first day in <paramref name="table"/>), while before $to and not after its last.</summary>
    public static string InBucket(string table) => $"""
        day IN (WITH RECURSIVE
                    stored(first_day, last_day) AS (
                        SELECT (SELECT min(day) FROM {table} WHERE project_id = $p), (SELECT max(day) FROM {table} WHERE project_id = $p)),
                    bucket_days(day) AS (
                        -- $from raised to the first stored day (a UTC midnight) first, so only a stored-range value is rounded up.
                        SELECT start + ((-start % {Day}) + {Day}) % {Day} FROM (SELECT max($from, first_day) AS start FROM stored)
                        UNION ALL SELECT day + {Day} FROM bucket_days, stored WHERE day + {Day} < $to AND day + {Day} <= last_day)
                SELECT day FROM bucket_days, stored WHERE day < $to AND day <= last_day)
        """;

    /// <summary>The days of session_kind_costs (migration 440).</summary>
    public static readonly string OfCosts = InBucket("session_kind_costs");
}
