using System.ClientModel.Primitives;

namespace ZespanSdk;

public static class OpenAIClientOptionsExtensions
{
    /// <summary>
    /// Records every call of clients built with these options (an <c>OpenAIClient</c> and all its sub-clients,
    /// or Azure OpenAI clients). Use this where <see cref="Zespan.Wrap"/> cannot reach, e.g. Azure.
    /// </summary>
    public static T AddZespan<T>(this T options, ZespanTracer? tracer = null) where T : ClientPipelineOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(new ZespanOpenAIPolicy(tracer), PipelinePosition.PerCall);
        return options;
    }
}
