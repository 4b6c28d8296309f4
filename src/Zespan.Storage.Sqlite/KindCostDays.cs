namespace Zespan.Storage.Sqlite;

/// <summary>
/// The condition that picks a bucket's days [$from, $to) of project $p in session_kind_costs. The table is keyed by day
/// first (migration 440, so a commit of today's traffic writes one range of it), so a range on day would leave the kind
/// and band out of the key: it would read every kind's rows of those days. The bucket's UTC days are listed instead, and
/// SQLite seeks one (day, kind, band) range per day (IndexUseTests asserts the plan). The list is cut to the project's
/// first and last stored day (two seeks of the key), so an open range (long.MinValue, long.MaxValue) lists only the days
/// that hold rows.
/// </summary>
internal static class KindCostDays
{
    /// <summary>Each UTC day from the first at or after $from (and the project's first day), while before $to and not after its last.</summary>
    public const string InBucket = """
        day IN (WITH RECURSIVE
                    stored(first_day, last_day) AS (
                        SELECT (SELECT min(day) FROM session_kind_costs WHERE project_id = $p), (SELECT max(day) FROM session_kind_costs WHERE project_id = $p)),
                    bucket_days(day) AS (
                        -- $from raised to the first stored day (a UTC midnight) first, so only a stored-range value is rounded up.
                        SELECT start + ((-start % 86400000) + 86400000) % 86400000 FROM (SELECT max($from, first_day) AS start FROM stored)
                        UNION ALL SELECT day + 86400000 FROM bucket_days, stored WHERE day + 86400000 < $to AND day + 86400000 <= last_day)
                SELECT day FROM bucket_days, stored WHERE day < $to AND day <= last_day)
        """;
}
