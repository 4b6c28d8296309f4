using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZespanSdk.Spans;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>
/// Rebuilds a streamed chat completion from its chunks: text and tool calls per choice, the model, the usage
/// that arrives in the last chunk (<c>stream_options.include_usage</c>) and the time to the first token.
/// </summary>
internal sealed class ChatCompletionStreamRecorder : IStreamRecorder
{
    private readonly LlmSpan _span;
    private readonly SortedDictionary<int, ChoiceBuilder> _choices = new();
    private bool _sawDone;
    private string? _streamError;

    public ChatCompletionStreamRecorder(LlmSpan span) => _span = span;

    public void OnEvent(string? eventName, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            _sawDone = true;
            return;
        }
        _span.CountStreamChunk();

        var reader = new Utf8JsonReader(data);
        using JsonDocument chunk = JsonDocument.ParseValue(ref reader);
        JsonElement root = chunk.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (root.TryGetProperty("error", out JsonElement error))
        {
            _streamError = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out JsonElement m)
                ? m.GetString()
                : error.ToString();
        }
        if (root.TryGetProperty("model", out JsonElement model) && model.ValueKind == JsonValueKind.String)
        {
            _span.ResponseModel = model.GetString();
        }
        if (root.TryGetProperty("usage", out JsonElement usage) && usage.ValueKind == JsonValueKind.Object)
        {
            _span.Usage = OpenAIUsage.From(usage);
        }
        if (root.TryGetProperty("choices", out JsonElement choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement choice in choices.EnumerateArray())
            {
                int index = choice.TryGetProperty("index", out JsonElement i) && i.TryGetInt32(out int n) ? n : 0;
                if (!_choices.TryGetValue(index, out ChoiceBuilder? builder))
                {
                    _choices[index] = builder = new ChoiceBuilder();
                }
                if (builder.Add(choice))
                {
                    _span.MarkFirstToken();
                }
            }
        }
    }

    public void Finish(bool reachedEnd, Exception? failure)
    {
        try
        {
            DescribeOutcome(reachedEnd, failure);
        }
        finally
        {
            End(failure);
        }
    }

    private void DescribeOutcome(bool reachedEnd, Exception? failure)
    {
        _span.CallMetadata["stream"] = true;
        if (!reachedEnd && !_sawDone && failure is null)
        {
            _span.MarkStreamEndedEarly();
        }
        if (_span.CaptureContent && _choices.Count > 0)
        {
            var messages = _choices.Values.Select(c => (JsonNode)c.ToMessage()).ToArray();
            _span.Output = messages.Length == 1 ? messages[0] : new JsonArray(messages);
        }
        string finishReasons = string.Join(",", _choices.Values.Select(c => c.FinishReason).OfType<string>());
        if (finishReasons.Length > 0)
        {
            _span.CallMetadata["finishReason"] = finishReasons;
        }
    }

    private void End(Exception? failure)
    {
        if (failure is not null)
        {
            _span.EndError($"{failure.GetType().Name}: {failure.Message}");
        }
        else if (_streamError is not null)
        {
            _span.EndError(_streamError);
        }
        else
        {
            _span.EndOk();
        }
    }

    /// <summary>One choice's deltas glued back together.</summary>
    private sealed class ChoiceBuilder
    {
        private readonly StringBuilder _content = new();
        private readonly StringBuilder _refusal = new();
        private readonly SortedDictionary<int, ToolCallBuilder> _toolCalls = new();
        private string _role = "assistant";

        public string? FinishReason { get; private set; }

        /// <returns>True when this chunk carried generated content (text, refusal or a tool call).</returns>
        public bool Add(JsonElement choice)
        {
            if (choice.TryGetProperty("finish_reason", out JsonElement reason) && reason.ValueKind == JsonValueKind.String)
            {
                FinishReason = reason.GetString();
            }
            if (!choice.TryGetProperty("delta", out JsonElement delta) || delta.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            bool generated = false;
            if (delta.TryGetProperty("role", out JsonElement role) && role.ValueKind == JsonValueKind.String)
            {
                _role = role.GetString()!;
            }
            if (delta.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String)
            {
                string text = content.GetString()!;
                _content.Append(text);
                generated |= text.Length > 0;
            }
            if (delta.TryGetProperty("refusal", out JsonElement refusal) && refusal.ValueKind == JsonValueKind.String)
            {
                _refusal.Append(refusal.GetString());
                generated = true;
            }
            if (delta.TryGetProperty("tool_calls", out JsonElement toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement call in toolCalls.EnumerateArray())
                {
                    int index = call.TryGetProperty("index", out JsonElement i) && i.TryGetInt32(out int n) ? n : 0;
                    if (!_toolCalls.TryGetValue(index, out ToolCallBuilder? builder))
                    {
                        _toolCalls[index] = builder = new ToolCallBuilder();
                    }
                    builder.Add(call);
                    generated = true;
                }
            }
            return generated;
        }

        public JsonObject ToMessage()
        {
            var message = new JsonObject
            {
                ["role"] = _role,
                ["content"] = _content.Length > 0 || _toolCalls.Count == 0 ? _content.ToString() : null,
            };
            if (_refusal.Length > 0)
            {
                message["refusal"] = _refusal.ToString();
            }
            if (_toolCalls.Count > 0)
            {
                message["tool_calls"] = new JsonArray(_toolCalls.Values.Select(c => (JsonNode)c.ToJson()).ToArray());
            }
            return message;
        }
    }

    private sealed class ToolCallBuilder
    {
        private readonly StringBuilder _arguments = new();
        private string? _id;
        private string? _name;

        public void Add(JsonElement call)
        {
            if (call.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String)
            {
                _id = id.GetString();
            }
            if (call.TryGetProperty("function", out JsonElement function) && function.ValueKind == JsonValueKind.Object)
            {
                if (function.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String)
                {
                    _name = name.GetString();
                }
                if (function.TryGetProperty("arguments", out JsonElement arguments) && arguments.ValueKind == JsonValueKind.String)
                {
                    _arguments.Append(arguments.GetString());
                }
            }
        }

        public JsonObject ToJson() => new()
        {
            ["id"] = _id,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = _name, ["arguments"] = _arguments.ToString() },
        };
    }
}
