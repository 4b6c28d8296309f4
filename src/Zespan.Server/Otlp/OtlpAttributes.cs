using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Collections;
using Zespan.Server.Otlp.Proto.Common;

namespace Zespan.Server.Otlp;

/// <summary>
/// The attributes of one span, resource, event or log record, looked up by key. Numbers are read from whichever type
/// the exporter chose (int, double or a numeric string), since conventions differ on it.
/// </summary>
public sealed class OtlpAttributes
{
    public static readonly OtlpAttributes Empty = new(null);
    private readonly Dictionary<string, AnyValue> _values;

    public OtlpAttributes(RepeatedField<KeyValue>? attributes)
    {
        _values = new Dictionary<string, AnyValue>(attributes?.Count ?? 0, StringComparer.Ordinal);
        if (attributes is null)
            return;
        foreach (var pair in attributes)
            _values.TryAdd(pair.Key, pair.Value ?? new AnyValue()); // keys are unique by the spec; the first wins otherwise
    }

    public IEnumerable<KeyValuePair<string, AnyValue>> All => _values;

    public bool Has(string key) => _values.ContainsKey(key);

    public AnyValue? Value(string key) => _values.TryGetValue(key, out var value) ? value : null;

    /// <summary>The first key present with a non-empty text value.</summary>
    public string? String(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (_values.TryGetValue(key, out var value) && Text(value) is { Length: > 0 } text)
                return text;
        }
        return null;
    }

    /// <summary>The first key present with a whole-number value.</summary>
    public long? Long(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (_values.TryGetValue(key, out var value) && WholeNumber(value) is { } number)
                return number;
        }
        return null;
    }

    public double? Double(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (_values.TryGetValue(key, out var value) && Number(value) is { } number)
                return number;
        }
        return null;
    }

    public bool HasAnyWithPrefix(string prefix)
    {
        foreach (var key in _values.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    public static string? Text(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        _ => null,
    };

    public static long? WholeNumber(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue) && Math.Abs(value.DoubleValue) < 9e15 => (long)Math.Round(value.DoubleValue),
        AnyValue.ValueOneofCase.StringValue when long.TryParse(value.StringValue, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    public static double? Number(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.StringValue when double.TryParse(value.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    /// <summary>Writes an attribute value as plain JSON: a kvlist becomes an object, an array an array.</summary>
    public static void WriteJson(Utf8JsonWriter writer, AnyValue? value)
    {
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue: writer.WriteStringValue(value.StringValue); break;
            case AnyValue.ValueOneofCase.BoolValue: writer.WriteBooleanValue(value.BoolValue); break;
            case AnyValue.ValueOneofCase.IntValue: writer.WriteNumberValue(value.IntValue); break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue): writer.WriteNumberValue(value.DoubleValue); break;
            case AnyValue.ValueOneofCase.BytesValue: writer.WriteBase64StringValue(value.BytesValue.Span); break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                    WriteJson(writer, item);
                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                writer.WriteStartObject();
                foreach (var pair in value.KvlistValue.Values)
                {
                    writer.WritePropertyName(pair.Key);
                    WriteJson(writer, pair.Value);
                }
                writer.WriteEndObject();
                break;
            default: writer.WriteNullValue(); break;
        }
    }
}
