using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// A SUM of picodollars across rows that cannot overflow. SQLite's SUM of integers stops with "integer overflow" past
/// 2^63 ($9,223,372.04) and C# long sums wrap; ten $1,000,000 calls crossed it. Each value is split into its upper bits
/// (x &gt;&gt; 32, arithmetic shift) and its lower 32 bits (x &amp; 0xFFFFFFFF), summed separately by SQLite (each sum
/// overflows only after 2^31 rows) and joined here as an Int128: x = (x &gt;&gt; 32) · 2^32 + (x &amp; 0xFFFFFFFF) for every
/// 64-bit x, negative deltas included. The two SUMs run at SQLite's native speed, unlike a managed aggregate function.
/// </summary>
internal static class ExactSum
{
    /// <summary>Two result columns; read them with Read(reader, ordinal of the first).</summary>
    public static string Of(string expression) => $"coalesce(SUM(({expression}) >> 32), 0), coalesce(SUM(({expression}) & 4294967295), 0)";

    public static Int128 Read(SqliteDataReader reader, int ordinal) => Join(reader.GetInt64(ordinal), reader.GetInt64(ordinal + 1));

    public static Int128 Join(long high, long low) => ((Int128)high << 32) + low;

    /// <summary>The upper part of a value written in two parts (x &gt;&gt; 32); with <see cref="Low"/>, x = High · 2^32 + Low.</summary>
    public static long High(Int128 value) => (long)(value >> 32);

    /// <summary>The lower 32 bits of a value written in two parts, in [0, 2^32).</summary>
    public static long Low(Int128 value) => (long)(value & 0xFFFFFFFF);

    /// <summary>A value clamped into 64 bits: the cost sort key of a session above the bound (migration 150).</summary>
    public static long Saturate(Int128 value) => (long)Int128.Clamp(value, long.MinValue, long.MaxValue);

    /// <summary>
    /// A session's or trace's cost as its row stores it (migration 150): (0, cost) when it fits in 64 bits, else
    /// (cost &gt;&gt; 32, its lower 32 bits). Either way cost = High · 2^32 + Pico, read back by <see cref="Join"/>.
    /// </summary>
    public static (long High, long Pico) ToRow(Int128 value) =>
        value >= long.MinValue && value <= long.MaxValue ? (0, (long)value) : (High(value), Low(value));

    /// <summary>The exact SUM of the cost of rows stored by <see cref="ToRow"/>, as the two columns of <see cref="Of"/>.</summary>
    public static string OfRow(string alias) =>
        $"coalesce(SUM({alias}cost_high + ({alias}cost_pico >> 32)), 0), coalesce(SUM({alias}cost_pico & 4294967295), 0)";

    /// <summary>
    /// A SET of a row's (cost_high, cost_low) kept normalized, cost_high = x &gt;&gt; 32 and cost_low = x &amp; 0xFFFFFFFF
    /// (user_session_totals since migration 370), to the row plus an added value in the same form (the upsert's excluded
    /// row, from <see cref="High"/> and <see cref="Low"/>): the lower parts' sum is under 2^33, its carry moves into
    /// cost_high. Normalized, the pair compared as (cost_high, cost_low) orders rows exactly by their value, so an index on
    /// it is an index in cost order.
    /// </summary>
    public static string AddCarriedSql() =>
        "cost_high = cost_high + excluded.cost_high + ((cost_low + excluded.cost_low) >> 32), cost_low = (cost_low + excluded.cost_low) & 4294967295";

    /// <summary>
    /// A SET of a row's (cost_high, cost_pico) to the row plus another value in the same two parts (an upsert's excluded
    /// row by default, or a signed delta's parameters), normalized as <see cref="ToRow"/>: the upper parts and the lower
    /// 32 bits are added apart (no step overflows 64 bits) and joined back.
    /// </summary>
    public static string AddRowSql(string addedHigh = "excluded.cost_high", string addedPico = "excluded.cost_pico")
    {
        var low = $"((cost_pico & 4294967295) + ({addedPico} & 4294967295))";
        var high = $"(cost_high + (cost_pico >> 32) + {addedHigh} + ({addedPico} >> 32) + ({low} >> 32))";
        var fits = $"{high} BETWEEN -2147483648 AND 2147483647";
        return $"cost_high = CASE WHEN {fits} THEN 0 ELSE {high} END, cost_pico = CASE WHEN {fits} THEN ({high} << 32) | ({low} & 4294967295) ELSE {low} & 4294967295 END";
    }
}
