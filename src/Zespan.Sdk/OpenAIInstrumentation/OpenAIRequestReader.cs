using System.ClientModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZespanSdk.Spans;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>Reads the request body the OpenAI library is about to send: requested model, prompt, parameters.</summary>
internal static class OpenAIRequestReader
{
    /// <summary>Fields that are the prompt or the plumbing, not a tuning parameter worth showing as metadata.</summary>
    private static readonly HashSet<string> NotParameters = new(StringComparer.Ordinal)
    {
        "model", "messages", "input", "stream", "stream_options",
    };

    /// <returns>Whether the caller asked for a streamed answer.</returns>
    public static bool Apply(BinaryContent? content, OpenAIOperation operation, LlmSpan span, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return false;
        }

        using var buffer = new MemoryStream();
        content.WriteTo(buffer, cancellationToken);
        if (JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is not JsonObject body)
        {
            return false;
        }

        span.RequestedModel = body["model"]?.GetValueKind() == JsonValueKind.String ? body["model"]!.GetValue<string>() : null;
        bool streaming = body["stream"]?.GetValueKind() == JsonValueKind.True;

        string inputField = operation == OpenAIOperation.ChatCompletions ? "messages" : "input";
        if (span.CaptureContent && body[inputField] is JsonNode input)
        {
            body.Remove(inputField); // detach so the node can live in the span
            span.Input = input;
        }

        foreach (KeyValuePair<string, JsonNode?> field in body)
        {
            if (!NotParameters.Contains(field.Key) && field.Value is JsonValue value)
            {
                span.CallMetadata[field.Key] = value.GetValueKind() switch
                {
                    JsonValueKind.Number => value.GetValue<double>(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => value.ToString(),
                };
            }
        }
        return streaming;
    }
}
