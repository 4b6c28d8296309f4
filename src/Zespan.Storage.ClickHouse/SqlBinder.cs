using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Binds <c>{name:Type}</c> placeholders (ClickHouse's own query-parameter syntax) into typed literals on the client,
/// because ClickHouse 18.16 has no query parameters ("Unknown setting param_x"). A string value becomes
/// <c>unhex('…')</c> of its UTF-8 bytes, so what reaches the SQL text is only hex digits: no quote, backslash or
/// comment in a value can end the literal (a string array is one such literal split on a fixed separator, see
/// <see cref="StringArray"/>). Numbers are formatted by .NET from typed values; <c>{name:Count}</c> (ours,
/// not ClickHouse's) is a bare non-negative integer for LIMIT. The placeholders are
/// replaced in one pass over the statement, so a value is never scanned again for placeholders.
/// </summary>
public static partial class SqlBinder
{
    public static string Bind(string sql, IReadOnlyDictionary<string, object?>? parameters)
    {
        return Placeholder().Replace(sql, match =>
        {
            var name = match.Groups["name"].Value;
            var type = match.Groups["type"].Value;
            if (parameters is null || !parameters.TryGetValue(name, out var value))
                throw new ArgumentException($"The statement needs parameter {name} ({type}).");
            return Literal(type, value, name);
        });
    }

    /// <summary>The placeholder names a statement uses, for the dialect check to fill.</summary>
    public static IEnumerable<(string Name, string Type)> PlaceholdersOf(string sql) =>
        Placeholder().Matches(sql).Select(m => (m.Groups["name"].Value, m.Groups["type"].Value)).Distinct();

    private static string Literal(string type, object? value, string name) => type switch
    {
        "Int64" => "toInt64(" + Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + ")",
        // LIMIT takes only a number literal, not an expression, in 18.16.
        "Count" => Math.Max(0, Convert.ToInt64(value, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture),
        "UInt64" => "toUInt64(" + Convert.ToUInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + ")",
        "Float64" => "toFloat64(" + FiniteDouble(value, name).ToString("R", CultureInfo.InvariantCulture) + ")",
        "String" => StringLiteral(value as string ?? throw new ArgumentException($"Parameter {name} must be a string.")),
        "Array(String)" => StringArray(value as IEnumerable<string> ?? throw new ArgumentException($"Parameter {name} must be strings.")),
        "Array(Int64)" => Int64Array(value as IEnumerable<long> ?? throw new ArgumentException($"Parameter {name} must be 64-bit integers.")),
        _ => throw new ArgumentException($"Parameter {name}: type {type} is not supported by the binder."),
    };

    private static double FiniteDouble(object? value, string name)
    {
        var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return double.IsFinite(number) ? number : throw new ArgumentException($"Parameter {name} must be a finite number.");
    }

    /// <summary>unhex of the UTF-8 bytes: the literal holds hex digits only.</summary>
    public static string StringLiteral(string value) => "unhex('" + Convert.ToHexString(Encoding.UTF8.GetBytes(value)) + "')";

    private static string StringArray(IEnumerable<string> values)
    {
        var list = values.ToList();
        // An empty [] is Array(Nothing) in ClickHouse; the typed empty array compares with String columns in every version.
        if (list.Count == 0)
            return "emptyArrayString()";
        // One string split on the server: 18.16 spent ~0.8 s of CPU analysing an array of 1,000 unhex() calls (a session's
        // span ids), against milliseconds for one. The separator (ASCII unit separator) is in no value, else the long form.
        if (list.Count > 1 && !list.Any(v => v.Contains(Separator)))
            return $"splitByChar('\\x1F', {StringLiteral(string.Join(Separator, list))})";
        return "[" + string.Join(", ", list.Select(StringLiteral)) + "]";
    }

    private const char Separator = '\u001F';

    private static string Int64Array(IEnumerable<long> values)
    {
        var items = values.Select(v => "toInt64(" + v.ToString(CultureInfo.InvariantCulture) + ")").ToList();
        return items.Count == 0 ? "emptyArrayInt64()" : "[" + string.Join(", ", items) + "]";
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*):(?<type>Count|Int64|UInt64|Float64|String|Array\(String\)|Array\(Int64\))\}")]
    private static partial Regex Placeholder();
}
