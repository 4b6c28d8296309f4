using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Zespan.Core.Accounts;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Server.Auth;

namespace Zespan.Security.Tests.Infrastructure;

/// <summary>
/// The real server in process (WebApplicationFactory) over a real SQLite file in a fresh temp folder, with a hand-moved clock.
/// Two organisations: A ("Default", made by first-run setup: admin owner, alice member, vic viewer) and B (bob member).
/// </summary>
public sealed class ZespanApp : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-password-for-tests";
    public const string UserPassword = "user-password-for-tests";
    public const string KeyA = "zsp_projectA_test_key_000000000001";

    private readonly Dictionary<string, string> _settings;

    public ZespanApp(Dictionary<string, string>? settings = null)
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "zespan-security-" + Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string>
        {
            ["ZESPAN_DATA"] = DataDirectory,
            ["ZESPAN_API_KEY"] = KeyA,
            ["ZESPAN_ADMIN_PASSWORD"] = AdminPassword,
        };
        foreach (var (key, value) in settings ?? [])
            _settings[key] = value;
    }

    public string DataDirectory { get; }
    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);
    public ServerErrorLog Errors { get; } = new();
    public Project ProjectA { get; private set; } = default!;
    public Project ProjectB { get; private set; } = default!;
    public string KeyB { get; private set; } = default!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Errors));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>Starts the server (first-run setup included) and creates organisation B and the test users.</summary>
    public async Task<ZespanApp> StartAsync()
    {
        _ = Server;
        var projects = Services.GetRequiredService<IProjectStore>();
        var organizations = Services.GetRequiredService<IOrganizationStore>();
        ProjectA = (await projects.ListProjectsAsync()).Single();
        var organizationB = await organizations.CreateAsync("Org B", Plan.Free);
        ProjectB = await projects.CreateProjectAsync(organizationB.Id, "Project B");
        KeyB = (await projects.CreateApiKeyAsync(ProjectB.Id, "key B")).Secret;
        await AddUserAsync("alice", ProjectA.OrganizationId, Role.Member);
        await AddUserAsync("vic", ProjectA.OrganizationId, Role.Viewer);
        await AddUserAsync("bob", organizationB.Id, Role.Member);
        return this;
    }

    public async Task<UserAccount> AddUserAsync(string username, long organizationId, Role role)
    {
        var users = Services.GetRequiredService<IUserStore>();
        var user = await users.CreateAsync(username, UiAuthentication.Hasher.HashPassword(null!, UserPassword), isAdmin: false);
        await users.AddMembershipAsync(user.Id, organizationId, role);
        return user;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A client that keeps cookies and does not follow redirects, so tests see every 302.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public HttpClient ApiClient(string key)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Logs in through the real login form (antiforgery token included) and returns the browser.</summary>
    public async Task<HttpClient> LoggedInAsync(string username, string? password = null)
    {
        var browser = Browser();
        var response = await Forms.PostAsync(browser, "/login", "/account/login",
            new() { ["username"] = username, ["password"] = password ?? (username == "admin" ? AdminPassword : UserPassword) });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("failed", response.Headers.Location?.ToString() ?? "");
        return browser;
    }

    public async Task IngestAsync(string key, params object[] spans)
    {
        var response = await ApiClient(key).PostAsJsonAsync("/api/v1/ingest", new { batch = spans });
        Assert.True(response.IsSuccessStatusCode, $"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
