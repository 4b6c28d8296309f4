using System.ClientModel.Primitives;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>
/// The "transport" of a wrapping client: it hands each message to the wrapped client's own pipeline, so that
/// client's credentials, retries, timeouts and HTTP stack still do the real work.
/// </summary>
internal sealed class ForwardingTransport : PipelineTransport
{
    private readonly ClientPipeline _target;

    public ForwardingTransport(ClientPipeline target) => _target = target;

    protected override PipelineMessage CreateMessageCore() => _target.CreateMessage();

    protected override void ProcessCore(PipelineMessage message) => _target.Send(message);

    protected override ValueTask ProcessCoreAsync(PipelineMessage message) => _target.SendAsync(message);
}

/// <summary>The wrapped client's pipeline authenticates; the wrapper must not add (or need) credentials.</summary>
internal sealed class NoAuthenticationPolicy : AuthenticationPolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessNext(message, pipeline, currentIndex);

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessNextAsync(message, pipeline, currentIndex);
}
