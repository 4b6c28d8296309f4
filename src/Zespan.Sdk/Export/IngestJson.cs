using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ZespanSdk.Spans;

namespace ZespanSdk.Export;

/// <summary>How batches are written: camelCase as in the contract, absent rather than null for unset fields.</summary>
internal static class IngestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Prompts are stored and shown as text; escaping every quote and non-ASCII letter only bloats them.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Serializes a batch. Metadata values come from the app and may not be serializable (cycles, streams);
    /// rather than lose the batch, such values are replaced by their <c>ToString()</c>.
    /// </summary>
    public static byte[] SerializeBatch(IReadOnlyList<SpanRecord> spans)
    {
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(new IngestBatch(spans), Options);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            foreach (SpanRecord span in spans)
            {
                span.Metadata = ToStrings(span.Metadata);
            }
            return JsonSerializer.SerializeToUtf8Bytes(new IngestBatch(spans), Options);
        }
    }

    private static Dictionary<string, object?>? ToStrings(Dictionary<string, object?>? metadata) =>
        metadata?.ToDictionary(
            pair => pair.Key,
            pair => pair.Value is null or string or bool or int or long or double or decimal
                ? pair.Value
                : (object?)pair.Value.ToString());

    private sealed record IngestBatch(IReadOnlyList<SpanRecord> Batch);
}
