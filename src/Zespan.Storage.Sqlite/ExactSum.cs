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

    /// <summary>A sum stored in one 64-bit row (a session, a trace): clamped at the row's bound of docs/api.md rather than wrapped.</summary>
    public static long Saturate(Int128 value) => (long)Int128.Clamp(value, long.MinValue, long.MaxValue);
}
