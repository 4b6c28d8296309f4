namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>Turns the events of one streamed answer into a finished span.</summary>
/// <remarks><see cref="Finish"/> must end the span even if describing the outcome fails.</remarks>
internal interface IStreamRecorder : ISseEventSink
{
    /// <param name="reachedEnd">False when the caller stopped reading before the stream ended.</param>
    /// <param name="failure">Set when reading the stream itself failed.</param>
    void Finish(bool reachedEnd, Exception? failure);
}
