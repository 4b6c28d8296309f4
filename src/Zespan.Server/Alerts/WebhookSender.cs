using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Zespan.Core.Alerts;

namespace Zespan.Server.Alerts;

/// <summary>
/// POSTs one signed event to a webhook and reports what came back. Connections go only to addresses
/// <see cref="WebhookTargets"/> allows, checked at connect time; redirects are not followed (a 3xx is a failed attempt).
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeProvider _clock;

    public WebhookSender(WebhookTargets targets, AlertOptions options, TimeProvider clock)
    {
        _clock = clock;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.AttemptTimeout,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var addresses = await targets.ResolveAllowedAsync(context.DnsEndPoint.Host, cancellationToken);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler) { Timeout = options.AttemptTimeout };
    }

    public async Task<DeliveryAttempt> SendAsync(DueDelivery delivery, int attempt, CancellationToken cancellationToken)
    {
        var started = _clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.WebhookUrl)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.ParseAdd("Zespan-Webhook/1");
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(delivery.Secret, delivery.Body));
        request.Headers.Add(WebhookSignature.EventIdHeader, delivery.EventId);
        request.Headers.Add(WebhookSignature.TimestampHeader, started.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("Zespan-Attempt", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            string? error = status switch
            {
                >= 200 and < 300 => null,
                >= 300 and < 400 => $"redirect to {response.Headers.Location} not followed; point the rule at the final URL",
                _ => $"HTTP {status} {response.ReasonPhrase}".TrimEnd(),
            };
            return new DeliveryAttempt(attempt, started.ToUnixTimeMilliseconds(), status, error, watch.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or WebhookTargetRefusedException && !cancellationToken.IsCancellationRequested)
        {
            var refused = ex as WebhookTargetRefusedException ?? ex.InnerException as WebhookTargetRefusedException;
            var message = refused is not null ? "refused: " + refused.Message
                : ex is TaskCanceledException ? "no answer within the attempt timeout"
                : ex.Message;
            return new DeliveryAttempt(attempt, started.ToUnixTimeMilliseconds(), null, message, watch.ElapsedMilliseconds);
        }
    }

    public void Dispose() => _client.Dispose();
}
