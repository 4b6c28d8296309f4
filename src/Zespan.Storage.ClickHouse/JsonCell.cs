using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Zespan.Storage.ClickHouse;

/// <summary>Reads JSONCompact cells: 64-bit integers arrive quoted (output_format_json_quote_64bit_integers), others as numbers.</summary>
internal static class JsonCell
{
    public static long Long(this JsonElement cell) =>
        cell.ValueKind == JsonValueKind.String ? long.Parse(Quoted(cell), CultureInfo.InvariantCulture) : cell.GetInt64();

    public static ulong ULong(this JsonElement cell) =>
        cell.ValueKind == JsonValueKind.String ? ulong.Parse(Quoted(cell), CultureInfo.InvariantCulture) : cell.GetUInt64();

    /// <summary>
    /// A quoted number's digits as UTF-8, read in place: a string per cell was most of the cost of reading a 1,000-call
    /// timeline's rows. A quoted number has no escapes, so its raw text between the quotes is its value.
    /// </summary>
    private static ReadOnlySpan<byte> Quoted(JsonElement cell) => JsonMarshal.GetRawUtf8Value(cell)[1..^1];

    /// <summary>A cost summed by ClickHouseSql.ExactCostSum: whole dollars and the picodollar rest.</summary>
    public static Int128 Cost(JsonElement dollars, JsonElement rest) => (Int128)dollars.Long() * Zespan.Core.Spans.Money.PicoPerUsd + rest.Long();

    public static bool Flag(this JsonElement cell) => cell.Long() != 0;

    public static string Text(this JsonElement cell) => cell.GetString()!;

    public static string? TextIf(this JsonElement cell, JsonElement flag) => flag.Flag() ? cell.GetString() : null;

    public static List<string> Strings(this JsonElement cell) => cell.EnumerateArray().Select(e => e.GetString()!).ToList();
}
