using System.ClientModel.Primitives;
using ZespanSdk.OpenAIInstrumentation;

namespace ZespanSdk;

/// <summary>
/// A System.ClientModel pipeline policy that records every chat completion, Responses and embeddings call an
/// OpenAI client makes. It only observes: requests and responses reach the library byte for byte as they were.
/// Add it per call (outside the retry policy) so one logical call is one span however many retries it took:
/// <c>options.AddPolicy(new ZespanOpenAIPolicy(), PipelinePosition.PerCall)</c>, or <c>options.AddZespan()</c>.
/// </summary>
public sealed class ZespanOpenAIPolicy : PipelinePolicy
{
    private readonly ZespanTracer? _tracer;

    /// <param name="tracer">Where spans go; the global <see cref="Zespan.Tracer"/> (looked up per call) when null.</param>
    public ZespanOpenAIPolicy(ZespanTracer? tracer = null) => _tracer = tracer;

    private ZespanTracer Tracer => _tracer ?? Zespan.Tracer;

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        OpenAICallRecording? recording = OpenAICallRecording.TryStart(message, Tracer);
        if (recording is null)
        {
            ProcessNext(message, pipeline, currentIndex);
            return;
        }

        try
        {
            ProcessNext(message, pipeline, currentIndex);
        }
        catch (Exception ex)
        {
            recording.Failed(ex);
            throw;
        }
        recording.Responded(message);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        OpenAICallRecording? recording = OpenAICallRecording.TryStart(message, Tracer);
        if (recording is null)
        {
            await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
            return;
        }

        try
        {
            await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recording.Failed(ex);
            throw;
        }
        await recording.RespondedAsync(message).ConfigureAwait(false);
    }
}
