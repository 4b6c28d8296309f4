using System.Text.Json;
using System.Text.Json.Nodes;
using ZespanSdk.Spans;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>Reads a complete (non-streamed) OpenAI response body into the span: model, usage, completion.</summary>
internal static class OpenAIResponseReader
{
    public static void Apply(BinaryData body, OpenAIOperation operation, LlmSpan span)
    {
        using JsonDocument document = JsonDocument.Parse(body.ToMemory());
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (root.TryGetProperty("model", out JsonElement model) && model.ValueKind == JsonValueKind.String)
        {
            span.ResponseModel = model.GetString();
        }
        if (root.TryGetProperty("usage", out JsonElement usage))
        {
            span.Usage = OpenAIUsage.From(usage);
        }

        switch (operation)
        {
            case OpenAIOperation.ChatCompletions:
                ApplyChatCompletion(root, span);
                break;
            case OpenAIOperation.Responses:
                ApplyResponse(root, span);
                break;
            default:
                ApplyEmbeddings(root, span);
                break;
        }
    }

    private static void ApplyChatCompletion(JsonElement root, LlmSpan span)
    {
        if (!root.TryGetProperty("choices", out JsonElement choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var messages = new JsonArray();
        var finishReasons = new List<string>();
        foreach (JsonElement choice in choices.EnumerateArray())
        {
            if (choice.TryGetProperty("message", out JsonElement message))
            {
                messages.Add(JsonNode.Parse(message.GetRawText()));
            }
            if (choice.TryGetProperty("finish_reason", out JsonElement reason) && reason.ValueKind == JsonValueKind.String)
            {
                finishReasons.Add(reason.GetString()!);
            }
        }

        if (span.CaptureContent)
        {
            // One choice is the norm; show it as the message itself rather than a list of one.
            span.Output = messages.Count == 1 ? messages[0]!.DeepClone() : messages;
        }
        if (finishReasons.Count > 0)
        {
            span.CallMetadata["finishReason"] = string.Join(",", finishReasons);
        }
    }

    private static void ApplyResponse(JsonElement root, LlmSpan span)
    {
        if (span.CaptureContent && root.TryGetProperty("output", out JsonElement output))
        {
            span.Output = JsonNode.Parse(output.GetRawText());
        }
        if (root.TryGetProperty("status", out JsonElement status) && status.ValueKind == JsonValueKind.String)
        {
            span.CallMetadata["responseStatus"] = status.GetString();
        }
    }

    private static void ApplyEmbeddings(JsonElement root, LlmSpan span)
    {
        // Vectors are large and say nothing to a person reading a trace; their count and size do.
        if (root.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.Array)
        {
            int dimensions = 0;
            foreach (JsonElement item in data.EnumerateArray())
            {
                if (item.TryGetProperty("embedding", out JsonElement vector) && vector.ValueKind == JsonValueKind.Array)
                {
                    dimensions = vector.GetArrayLength();
                }
                break;
            }
            span.Output = new JsonObject { ["embeddings"] = data.GetArrayLength(), ["dimensions"] = dimensions };
        }
    }

    /// <summary>OpenAI error bodies are <c>{"error": {"message": ...}}</c>; anything else is shown as text.</summary>
    /// <summary>
    /// An error answer as docs/sdk-spec.md records it: <c>"&lt;status&gt; &lt;error.message&gt;"</c> when the body is
    /// OpenAI's error object (with its <c>type</c> and <c>code</c>), else the status line and the start of the body.
    /// </summary>
    public static ApiError DescribeError(int status, string? reasonPhrase, BinaryData? body)
    {
        string prefix = string.IsNullOrEmpty(reasonPhrase) ? $"HTTP {status}" : $"HTTP {status} {reasonPhrase}";
        if (body is null)
        {
            return new ApiError(prefix, null, null);
        }
        try
        {
            using JsonDocument document = JsonDocument.Parse(body.ToMemory());
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out JsonElement error))
            {
                if (error.ValueKind != JsonValueKind.Object)
                {
                    return new ApiError($"{prefix}: {error}", null, null);
                }
                string? message = Text(error, "message");
                return new ApiError(message is null ? prefix : $"{status} {message}", Text(error, "type"), Text(error, "code"));
            }
        }
        catch (JsonException)
        {
        }
        string text = body.ToString();
        return new ApiError(text.Length == 0 ? prefix : $"{prefix}: {(text.Length > 500 ? text[..500] : text)}", null, null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>An API error answer: the span's error text and OpenAI's error <c>type</c> and <c>code</c> when given.</summary>
internal sealed record ApiError(string Message, string? Type, string? Code);
