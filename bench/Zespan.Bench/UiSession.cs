using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Zespan.Core.Accounts;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// A logged-in browser for timing UI pages: makes sure the data folder has a UI user (folders loaded by DataGen have none,
/// and ZESPAN_ADMIN_PASSWORD only applies to an empty database), then logs in the way a browser does — GET /login for the
/// antiforgery token, POST /account/login — and keeps the auth cookie.
/// </summary>
public static partial class UiSession
{
    public const string Username = "bench";
    public const string Password = "bench-password-0123456789";

    /// <summary>Creates the bench user as an owner of the first project's organization, unless it exists. Run before the server starts.</summary>
    public static async Task EnsureUserAsync(string databasePath)
    {
        var storage = new SqliteStorage(databasePath, TimeProvider.System);
        if (await storage.Users.FindByUsernameAsync(Username) is not null)
            return;
        var project = (await storage.Projects.ListProjectsAsync()).OrderBy(p => p.Id).First();
        var hash = new PasswordHasher<object>().HashPassword(new object(), Password);
        var user = await storage.Users.CreateAsync(Username, hash, isAdmin: true);
        await storage.Users.AddMembershipAsync(user.Id, project.OrganizationId, Role.Owner);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public static async Task<HttpClient> LogInAsync(Uri server)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = server };
        var loginPage = await client.GetStringAsync("login");
        var token = AntiforgeryField().Match(loginPage);
        if (!token.Success)
            throw new InvalidOperationException("GET /login has no antiforgery token.");
        using var response = await client.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["username"] = Username,
            ["password"] = Password,
            ["returnUrl"] = "/sessions",
        }));
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.ToString().Contains("login", StringComparison.OrdinalIgnoreCase) == true)
            throw new InvalidOperationException($"Logging in failed: {(int)response.StatusCode} to {response.Headers.Location}.");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
