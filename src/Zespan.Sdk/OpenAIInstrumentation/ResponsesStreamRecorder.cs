using System.Text.Json;
using System.Text.Json.Nodes;
using ZespanSdk.Spans;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>
/// Records a streamed Responses API call: the first <c>response.output_text.delta</c> is the first token, and the
/// terminal event (<c>response.completed</c>, <c>.incomplete</c> or <c>.failed</c>) carries model, usage and output.
/// </summary>
internal sealed class ResponsesStreamRecorder : IStreamRecorder
{
    private readonly LlmSpan _span;
    private bool _sawTerminalEvent;
    private string? _error;

    public ResponsesStreamRecorder(LlmSpan span) => _span = span;

    public void OnEvent(string? eventName, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            return;
        }
        _span.CountStreamChunk();
        var reader = new Utf8JsonReader(data);
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        JsonElement root = document.RootElement;
        string? type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out JsonElement t)
            ? t.GetString()
            : eventName;

        switch (type)
        {
            case "response.output_text.delta":
            case "response.refusal.delta":
            case "response.function_call_arguments.delta":
                _span.MarkFirstToken();
                break;

            case "response.completed":
            case "response.incomplete":
            case "response.failed":
                _sawTerminalEvent = true;
                if (root.TryGetProperty("response", out JsonElement response) && response.ValueKind == JsonValueKind.Object)
                {
                    ApplyFinalResponse(response);
                }
                break;

            case "error":
                _error = root.TryGetProperty("message", out JsonElement message) ? message.GetString() : root.GetRawText();
                break;
        }
    }

    private void ApplyFinalResponse(JsonElement response)
    {
        if (response.TryGetProperty("model", out JsonElement model) && model.ValueKind == JsonValueKind.String)
        {
            _span.ResponseModel = model.GetString();
        }
        if (response.TryGetProperty("usage", out JsonElement usage))
        {
            _span.Usage = OpenAIUsage.From(usage);
        }
        if (_span.CaptureContent && response.TryGetProperty("output", out JsonElement output))
        {
            _span.Output = JsonNode.Parse(output.GetRawText());
        }
        if (response.TryGetProperty("status", out JsonElement status) && status.ValueKind == JsonValueKind.String)
        {
            _span.CallMetadata["responseStatus"] = status.GetString();
        }
        if (response.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object
            && error.TryGetProperty("message", out JsonElement message))
        {
            _error = message.GetString();
        }
    }

    public void Finish(bool reachedEnd, Exception? failure)
    {
        _span.CallMetadata["stream"] = true;
        if (!reachedEnd && !_sawTerminalEvent && failure is null)
        {
            _span.MarkStreamEndedEarly();
        }

        if (failure is not null)
        {
            _span.EndError($"{failure.GetType().Name}: {failure.Message}");
        }
        else if (_error is not null)
        {
            _span.EndError(_error);
        }
        else
        {
            _span.EndOk();
        }
    }
}
