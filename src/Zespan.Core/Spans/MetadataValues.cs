using System.Text.Json;

namespace Zespan.Core.Spans;

/// <summary>
/// Turns a span's metadata object into the string values sessions are grouped by. Strings stay as they are, numbers and
/// booleans become their JSON text; objects, arrays and over-long values cannot be a group and are skipped.
/// One definition, used on ingestion and when a store rebuilds figures from stored spans.
/// </summary>
public static class MetadataValues
{
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;

    public static Dictionary<string, string> Flatten(JsonElement metadata)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata.ValueKind != JsonValueKind.Object)
            return values;
        foreach (var property in metadata.EnumerateObject())
        {
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (value is not null && property.Name.Length <= MaxKeyLength && value.Length <= MaxValueLength)
                values[property.Name] = value;
        }
        return values;
    }

    public static Dictionary<string, string> Flatten(string? metadataJson)
    {
        if (string.IsNullOrEmpty(metadataJson))
            return new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(metadataJson);
        return Flatten(document.RootElement);
    }
}
