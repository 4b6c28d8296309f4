using System.ClientModel.Primitives;
using ZespanSdk.Spans;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>
/// The recording of one HTTP call made by the OpenAI library, from the request leaving to the last byte of the
/// answer. Every method swallows its own failures: a recording bug must never change what the app sees.
/// </summary>
internal sealed class OpenAICallRecording
{
    private readonly LlmSpan _span;
    private readonly OpenAIOperation _operation;
    private readonly bool _streaming;

    private OpenAICallRecording(LlmSpan span, OpenAIOperation operation, bool streaming)
    {
        _span = span;
        _operation = operation;
        _streaming = streaming;
    }

    public static OpenAICallRecording? TryStart(PipelineMessage message, ZespanTracer tracer)
    {
        try
        {
            if (!tracer.IsRecording || OpenAIOperations.Recognise(message.Request) is not { } operation)
            {
                return null;
            }
            LlmSpan? span = LlmSpan.Start(tracer, operation.SpanName(), "openai");
            if (span is null)
            {
                return null;
            }
            bool streaming = OpenAIRequestReader.Apply(message.Request.Content, operation, span, message.CancellationToken);
            return new OpenAICallRecording(span, operation, streaming);
        }
        catch
        {
            return null;
        }
    }

    /// <summary>The request never got an answer (network failure, timeout, cancellation).</summary>
    public void Failed(Exception exception)
    {
        try
        {
            _span.EndError($"{exception.GetType().Name}: {exception.Message}");
        }
        catch
        {
        }
    }

    public void Responded(PipelineMessage message)
    {
        try
        {
            PipelineResponse? response = message.Response;
            if (response is null)
            {
                _span.EndError("no response");
            }
            else if (IsError(response))
            {
                // Reading the body here would steal it from the library unless it is buffered first.
                response.BufferContent(message.CancellationToken);
                EndWithError(response);
            }
            else
            {
                RecordSuccess(message, response);
            }
        }
        catch
        {
            EndQuietly();
        }
    }

    public async ValueTask RespondedAsync(PipelineMessage message)
    {
        try
        {
            PipelineResponse? response = message.Response;
            if (response is null)
            {
                _span.EndError("no response");
            }
            else if (IsError(response))
            {
                await response.BufferContentAsync(message.CancellationToken).ConfigureAwait(false);
                EndWithError(response);
            }
            else
            {
                RecordSuccess(message, response);
            }
        }
        catch
        {
            EndQuietly();
        }
    }

    private void RecordSuccess(PipelineMessage message, PipelineResponse response)
    {
        if (!_streaming)
        {
            OpenAIResponseReader.Apply(response.Content, _operation, _span);
            _span.EndOk();
            return;
        }

        IStreamRecorder recorder = _operation == OpenAIOperation.Responses
            ? new ResponsesStreamRecorder(_span)
            : new ChatCompletionStreamRecorder(_span);

        if (!message.BufferResponse && response.ContentStream is { } network)
        {
            // The span ends when the app has read (or abandoned) the stream, not now.
            response.ContentStream = new SseRecordingStream(network, recorder);
            return;
        }

        // Someone buffered the stream: every event is already here.
        var parser = new SseEventParser(recorder);
        parser.Feed(response.Content.ToMemory().Span);
        parser.Finish();
        recorder.Finish(reachedEnd: true, failure: null);
    }

    private void EndWithError(PipelineResponse response)
    {
        ApiError error = OpenAIResponseReader.DescribeError(response.Status, response.ReasonPhrase, response.Content);
        _span.CallMetadata["httpStatus"] = response.Status;
        if (error.Type is { } type)
        {
            _span.CallMetadata["errorType"] = type;
        }
        if (error.Code is { } code)
        {
            _span.CallMetadata["errorCode"] = code;
        }
        _span.EndError(error.Message);
    }

    private static bool IsError(PipelineResponse response) => response.IsError || response.Status >= 400;

    private void EndQuietly()
    {
        try
        {
            if (!_span.HasEnded)
            {
                _span.EndOk();
            }
        }
        catch
        {
        }
    }
}
