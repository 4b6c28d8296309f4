using System.Net;
using System.Net.Sockets;

namespace Zespan.Server.Alerts;

/// <summary>A webhook target the server will not call, and why, in words for the API's 400 and the delivery log.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// Which webhook targets the server calls. Every address a host name resolves to is checked (not only the first), at rule
/// creation and again at each connection, so a name that later resolves to an internal address (DNS rebinding) is refused
/// too; redirects are never followed, so a public URL cannot bounce the call inward.
/// </summary>
public sealed class WebhookTargets(AlertOptions options)
{
    public const int MaxUrlLength = 2048;

    /// <summary>The problem with <paramref name="text"/> as a webhook URL (naming the field and the fix), or null when it is acceptable.</summary>
    public async Task<string?> ProblemAsync(string? text, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
            return "webhookUrl is required: the https:// (or http://) URL Zespan POSTs the event to.";
        if (text.Length > MaxUrlLength || !Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            return $"webhookUrl must be an absolute http:// or https:// URL of at most {MaxUrlLength} characters; it is \"{Shorten(text)}\".";
        if (url.UserInfo.Length > 0)
            return "webhookUrl must not carry a user name or password; verify deliveries with the Zespan-Signature header instead.";
        try
        {
            await ResolveAllowedAsync(url.IdnHost, cancellationToken);
            return null;
        }
        catch (WebhookTargetRefusedException refused)
        {
            return "webhookUrl: " + refused.Message;
        }
    }

    /// <summary>The host's addresses, all of them allowed; throws <see cref="WebhookTargetRefusedException"/> otherwise.</summary>
    public async Task<IPAddress[]> ResolveAllowedAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            throw new WebhookTargetRefusedException($"the host \"{host}\" could not be resolved.");
        }
        if (addresses.Length == 0)
            throw new WebhookTargetRefusedException($"the host \"{host}\" has no address.");
        if (!options.AllowPrivateTargets && addresses.FirstOrDefault(IsInternal) is { } inside)
            throw new WebhookTargetRefusedException(
                $"the host \"{host}\" resolves to {inside}, a loopback, private or link-local address. Use a public address, or let the " +
                "operator set ZESPAN_WEBHOOK_ALLOW_PRIVATE=true to allow internal targets.");
        return addresses;
    }

    /// <summary>Loopback, private (RFC 1918, unique local), link-local, carrier-grade NAT, unspecified, multicast or reserved.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 => true,
                100 => b[1] is >= 64 and <= 127,              // 100.64.0.0/10, carrier-grade NAT
                169 => b[1] == 254,                           // link-local, cloud metadata services
                172 => b[1] is >= 16 and <= 31,
                192 => b[1] == 168 || (b[1] == 0 && b[2] == 0), // 192.168/16, 192.0.0/24
                198 => b[1] is 18 or 19,                      // benchmarking
                >= 224 => true,                               // multicast, reserved, broadcast
                _ => false,
            };
        }
        if (address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
            return true;
        var bytes = address.GetAddressBytes();
        if ((bytes[0] & 0xFE) == 0xFC)                        // fc00::/7, unique local
            return true;
        // 64:ff9b::/96 (NAT64) carries an IPv4 address in its last four bytes: judge that one.
        if (bytes[0] == 0 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B && bytes[4..12].All(x => x == 0))
            return IsInternal(new IPAddress(bytes[12..]));
        return false;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
