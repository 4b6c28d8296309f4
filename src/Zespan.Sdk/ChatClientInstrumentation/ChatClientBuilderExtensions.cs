using Microsoft.Extensions.DependencyInjection;
using ZespanSdk;

namespace Microsoft.Extensions.AI;

public static class ZespanChatClientBuilderExtensions
{
    /// <summary>
    /// Records every call through this chat client pipeline. Uses the <see cref="ZespanTracer"/> registered by
    /// <c>services.AddZespan(...)</c> when there is one, otherwise the global <see cref="Zespan.Tracer"/>.
    /// </summary>
    public static ChatClientBuilder UseZespan(this ChatClientBuilder builder, ZespanTracer? tracer = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            new ZespanChatClient(inner, tracer ?? services.GetService<ZespanTracer>()));
    }
}
