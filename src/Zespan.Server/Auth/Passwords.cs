using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Zespan.Core.Accounts;

namespace Zespan.Server.Auth;

/// <summary>The one place for password rules: how long one must be, how a generated one looks, how one is checked.</summary>
public static class Passwords
{
    public const int MinLength = 10;

    // No look-alike characters (0/O, 1/l/I), so a password read off a terminal is typed right.
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, 20);

    public static string Hash(string password) => UiAuthentication.Hasher.HashPassword(null!, password);

    public static bool Verify(UserAccount user, string password) =>
        UiAuthentication.Hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;

    /// <summary>Why a chosen password is refused, or null when it is acceptable.</summary>
    public static string? Problem(string password) =>
        password.Length < MinLength ? $"A password must be at least {MinLength} characters long." : null;
}
