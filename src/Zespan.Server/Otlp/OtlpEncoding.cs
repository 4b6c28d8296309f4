using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.Net.Http.Headers;

namespace Zespan.Server.Otlp;

/// <summary>
/// OTLP/HTTP's two encodings: binary protobuf and OTLP's JSON mapping. The JSON mapping is proto3 JSON except that trace
/// and span ids are hex, not base64; ids are rewritten to base64 and the rest is read by Google.Protobuf's own parser,
/// which already accepts int64 as strings or numbers, enums as numbers and ignores unknown fields.
/// </summary>
public static class OtlpEncoding
{
    public const string Protobuf = "application/x-protobuf";
    public const string Json = "application/json";

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true).WithRecursionLimit(100));
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private static readonly string[] IdFields = ["traceId", "spanId", "parentSpanId"];

    /// <summary>Whether the request's Content-Type is JSON; null when it is neither OTLP encoding.</summary>
    public static bool? IsJson(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
            return null;
        if (type.MediaType.Equals(Protobuf, StringComparison.OrdinalIgnoreCase) || type.MediaType.Equals("application/protobuf", StringComparison.OrdinalIgnoreCase))
            return false;
        if (type.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase))
            return true;
        return null;
    }

    /// <summary>Decodes a request body, or returns why it is not one (the 400 detail).</summary>
    public static T? Decode<T>(ReadOnlyMemory<byte> body, bool json, MessageParser<T> parser, string container, out string? error)
        where T : IMessage<T>, new()
    {
        error = null;
        try
        {
            if (!json)
                return parser.ParseFrom(body.Span);
            var node = JsonNode.Parse(body.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
            if (node is not JsonObject root)
            {
                error = $"The body must be an OTLP JSON object with a \"{container}\" array.";
                return default;
            }
            HexIdsToBase64(root);
            return Parser.Parse<T>(root.ToJsonString());
        }
        // ArgumentException: JsonNode's objects refuse a key given twice ("An item with the same key has already been
        // added. Key: name"), which the message names; it was a 500 before.
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or JsonException or FormatException or InvalidOperationException
                                       or ArgumentException)
        {
            error = json
                ? $"The body is not OTLP JSON ({ex.Message}). Send an {typeof(T).Name} in OTLP's JSON mapping (hex ids, int64 as strings)."
                : $"The body is not an OTLP protobuf {typeof(T).Name} ({ex.Message}).";
            return default;
        }
    }

    /// <summary>The response message in the request's encoding.</summary>
    public static IResult Respond(IMessage message, bool json) => json
        ? Results.Text(Formatter.Format(message), Json)
        : Results.Bytes(message.ToByteArray(), Protobuf);

    /// <summary>Rewrites every traceId/spanId/parentSpanId string in the tree from hex (OTLP JSON) to base64 (proto3 JSON).</summary>
    private static void HexIdsToBase64(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var field in IdFields)
                {
                    if (obj[field] is JsonValue value && value.TryGetValue<string>(out var hex))
                        obj[field] = HexToBase64(hex);
                }
                foreach (var (_, child) in obj)
                {
                    if (child is JsonObject or JsonArray)
                        HexIdsToBase64(child);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                    HexIdsToBase64(child);
                break;
        }
    }

    /// <summary>Hex to base64; text that is no hex becomes an empty id, which the span's validation then refuses by name.</summary>
    private static string HexToBase64(string hex)
    {
        try
        {
            return Convert.ToBase64String(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
