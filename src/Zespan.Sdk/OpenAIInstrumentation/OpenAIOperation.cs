using System.ClientModel.Primitives;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>The OpenAI endpoints that are recorded, recognised by method and path, and the span name for each.</summary>
internal enum OpenAIOperation
{
    ChatCompletions,
    Responses,
    Embeddings,
}

internal static class OpenAIOperations
{
    public static OpenAIOperation? Recognise(PipelineRequest request)
    {
        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase) || request.Uri is null)
        {
            return null;
        }

        string path = request.Uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            return OpenAIOperation.ChatCompletions;
        }
        if (path.EndsWith("/responses", StringComparison.Ordinal))
        {
            return OpenAIOperation.Responses;
        }
        if (path.EndsWith("/embeddings", StringComparison.Ordinal))
        {
            return OpenAIOperation.Embeddings;
        }
        return null;
    }

    public static string SpanName(this OpenAIOperation operation) => operation switch
    {
        OpenAIOperation.ChatCompletions => "chat.completions.create",
        OpenAIOperation.Responses => "responses.create",
        _ => "embeddings.create",
    };
}
