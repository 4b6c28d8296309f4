using System.Security.Cryptography;
using System.Text;

namespace Zespan.Core.Alerts;

/// <summary>
/// Signs webhook bodies: HMAC-SHA256 of the exact body bytes with the rule's secret, sent as
/// <c>Zespan-Signature: sha256=&lt;lowercase hex&gt;</c>. The body carries the event id and time, so they are signed too.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "Zespan-Signature";
    public const string TimestampHeader = "Zespan-Timestamp";
    public const string EventIdHeader = "Zespan-Event-Id";
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>How a receiver checks a delivery: in constant time, against the raw body as received.</summary>
    public static bool Verify(string secret, string body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header));
}
