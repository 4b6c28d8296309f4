using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>
/// Builds a genuine <see cref="ChatClient"/> (so every method and return type is the library's own) whose pipeline
/// records the call and then forwards it to the original client's pipeline.
/// </summary>
internal static class OpenAIChatClientWrapper
{
    public static ChatClient Wrap(ChatClient client, ZespanTracer? tracer)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.GetType() != typeof(ChatClient))
        {
            // Subclasses (Azure's among them) build their own URLs; only their options can carry the policy.
            throw new NotSupportedException(
                $"Zespan.Wrap supports OpenAI.Chat.ChatClient itself, not {client.GetType().FullName}. " +
                "Add the recording to the client's options instead: options.AddZespan().");
        }

        // Model, Endpoint and the AuthenticationPolicy constructor are marked experimental (OPENAI001) in OpenAI 2.x.
        // They are the only way to rebuild an equivalent client; options.AddZespan() needs none of them.
#pragma warning disable OPENAI001
        var options = new OpenAIClientOptions
        {
            Endpoint = client.Endpoint,
            Transport = new ForwardingTransport(client.Pipeline),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // the wrapped pipeline retries
            NetworkTimeout = Timeout.InfiniteTimeSpan,          // and enforces its own timeout
        };
        options.AddPolicy(new ZespanOpenAIPolicy(tracer), PipelinePosition.PerCall);
        return new ChatClient(client.Model, new NoAuthenticationPolicy(), options);
#pragma warning restore OPENAI001
    }
}
