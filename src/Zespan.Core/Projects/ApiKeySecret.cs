using System.Security.Cryptography;
using System.Text;

namespace Zespan.Core.Projects;

/// <summary>
/// Generates and hashes API keys. Keys carry 190 bits of randomness, so a fast SHA-256 is the right hash
/// (a slow password hash would only slow every ingest call); only the hash is stored.
/// </summary>
public static class ApiKeySecret
{
    public const string Prefix = "zsp_";
    public const int MinLength = 20;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Generate() => Prefix + RandomNumberGenerator.GetString(Alphabet, 32);

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>What the UI shows to tell keys apart without revealing them: "zsp_AbCd…".</summary>
    public static string DisplayPrefix(string secret) => secret.Length <= 8 ? secret : secret[..8] + "…";

    public static bool LooksValid(string? secret) =>
        secret is not null && secret.StartsWith(Prefix, StringComparison.Ordinal) && secret.Length >= MinLength
        && secret.Length <= 200 && secret.All(c => c > ' ' && c < 127);
}
