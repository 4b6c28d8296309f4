using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ZespanSdk.Guard;

/// <summary>Reads guard states from the server the tracer exports to, with the same key. Never throws except on cancellation.</summary>
internal sealed class GuardClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly Uri _apiBase;
    private readonly string? _apiKey;

    public GuardClient(ZespanSettings settings)
    {
        _apiKey = settings.ApiKey;
        _apiBase = new Uri(settings.IngestUri, "./"); // .../api/v1/
        _http = settings.HttpMessageHandler is { } handler ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
        _http.Timeout = settings.RequestTimeout;
    }

    public async Task<GuardState> ReadAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_apiKey is null)
            return GuardState.Open(sessionId, "no API key: set ZESPAN_API_KEY or Zespan:ApiKey");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_apiBase, "sessions/" + Uri.EscapeDataString(sessionId) + "/guard"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return GuardState.Open(sessionId); // not recorded yet: nothing crossed
            if (!response.IsSuccessStatusCode)
                return GuardState.Open(sessionId, $"guard state: HTTP {(int)response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var state = JsonSerializer.Deserialize<GuardState>(body, Json);
            return state is null ? GuardState.Open(sessionId, "guard state: empty answer") : state with { Crossed = state.Crossed ?? [] };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return GuardState.Open(sessionId, "guard state: " + ex.Message);
        }
    }

    public void Dispose() => _http.Dispose();
}
