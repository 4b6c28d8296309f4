using System.Net.Http.Headers;
using System.Text.Json;

namespace ZespanSdk.Export;

/// <summary>Sends one serialized batch to <c>POST /api/v1/ingest</c> and classifies the answer.</summary>
internal sealed class IngestClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _ingestUri;
    private readonly string _apiKey;

    public IngestClient(Uri ingestUri, string apiKey, TimeSpan requestTimeout, HttpMessageHandler? handler)
    {
        _ingestUri = ingestUri;
        _apiKey = apiKey;
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = requestTimeout;
    }

    public async Task<IngestOutcome> SendAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _ingestUri)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return IngestOutcome.Retryable($"no answer within {_http.Timeout.TotalSeconds:0.#}s");
        }
        catch (HttpRequestException ex)
        {
            return IngestOutcome.Retryable($"network error: {ex.Message}");
        }

        using (response)
        {
            return await ClassifyAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IngestOutcome> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        string body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);

        if (status is >= 200 and < 300)
        {
            return ParseAccepted(body);
        }

        string problem = $"{status} {response.ReasonPhrase}: {Shorten(body)}";
        if (status is 408 or 429 || status >= 500)
        {
            return IngestOutcome.Retryable(problem, RetryDelay.FromHeader(response.Headers.RetryAfter, DateTimeOffset.UtcNow));
        }
        return IngestOutcome.Rejected(problem);
    }

    /// <summary>Reads <c>{"accepted": N, "errors": [{index, id, message}]}</c>; a 2xx without that shape still counts as delivered.</summary>
    private static IngestOutcome ParseAccepted(string body)
    {
        var rejected = new List<string>();
        int accepted = 0;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.TryGetProperty("accepted", out JsonElement acceptedElement) && acceptedElement.TryGetInt32(out int n))
            {
                accepted = n;
            }
            if (root.TryGetProperty("errors", out JsonElement errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement error in errors.EnumerateArray())
                {
                    string id = error.TryGetProperty("id", out JsonElement idElement) ? idElement.ToString() : "?";
                    string message = error.TryGetProperty("message", out JsonElement messageElement) ? messageElement.ToString() : "";
                    rejected.Add($"{id}: {message}");
                }
            }
        }
        catch (JsonException)
        {
            // The server said 2xx; its body is informational only.
        }
        return IngestOutcome.Delivered(accepted, rejected);
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return "";
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => _http.Dispose();
}
