using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Server.Tests;

/// <summary>
/// The real server in-process over a real SQLite file in its own temporary folder, with a preset API key.
/// Settings go in through UseSetting, which Program reads as ZESPAN_* configuration keys.
/// </summary>
public partial class ZespanApp : WebApplicationFactory<Program>
{
    public const string ApiKey = "zsp_server_tests_0123456789abcdef";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "zespan-server-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Extra ZESPAN_* settings, set before the host is built.</summary>
    public Dictionary<string, string> Settings { get; } = new();

    /// <summary>Service replacements, for decorating the real span writer.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ZESPAN_DATA", DataDirectory);
        builder.UseSetting("ZESPAN_API_KEY", ApiKey);
        // These tests send spans with fixed dates; the longest plan keeps them inside its window (ingestion refuses older ones).
        builder.UseSetting("ZESPAN_PLAN", "scale");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        if (ConfigureServices is { } configure)
            builder.ConfigureTestServices(configure);
    }

    public HttpClient ClientWithKey(string? key = ApiKey)
    {
        var client = CreateClient();
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>
    /// A cookie client logged in as the admin with <paramref name="password"/> (ZESPAN_ADMIN_PASSWORD in
    /// <see cref="Settings"/>) through the real login form, redirects not followed: the pages as a person sees them.
    /// </summary>
    public async Task<HttpClient> LogInAsync(string password)
    {
        var browser = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var login = await browser.GetStringAsync("/login");
        var token = System.Net.WebUtility.HtmlDecode(LoginToken().Match(login).Groups[1].Value);
        var posted = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin", ["password"] = password, ["__RequestVerificationToken"] = token,
        }));
        Xunit.Assert.Equal(System.Net.HttpStatusCode.Redirect, posted.StatusCode);
        return browser;
    }

    [System.Text.RegularExpressions.GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex LoginToken();

    /// <summary>A second project with its own key, made through the stores as an admin would.</summary>
    public async Task<(long ProjectId, string Key)> CreateProjectAsync(string name)
    {
        var organizations = Services.GetRequiredService<IOrganizationStore>();
        var projects = Services.GetRequiredService<IProjectStore>();
        var organization = await organizations.CreateAsync(name, Plan.Scale);
        var project = await projects.CreateProjectAsync(organization.Id, name);
        return (project.Id, (await projects.CreateApiKeyAsync(project.Id, "test")).Secret);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }
}

/// <summary>Small helpers for the contract's JSON.</summary>
public static class Api
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string Batch(params string[] items) => "{\"batch\":[" + string.Join(",", items) + "]}";

    /// <summary>A valid LLM span in the contract's shape; pass extra JSON properties to add or override fields.</summary>
    public static string Span(string id, string? sessionId = "conv", string traceId = "trace", string start = "2026-11-20T10:00:00.000Z",
        string end = "2026-11-20T10:00:01.000Z", string model = "gpt-4o", int input = 100, int output = 10, int cached = 0, string extra = "")
    {
        var node = JsonNode.Parse($$"""
            {"id":"{{id}}","traceId":"{{traceId}}","parentId":null,"sessionId":{{(sessionId is null ? "null" : $"\"{sessionId}\"")}},"userId":null,
             "name":"chat.completions.create","kind":"llm","model":"{{model}}","provider":"openai","startTime":"{{start}}","endTime":"{{end}}",
             "usage":{"inputTokens":{{input}},"outputTokens":{{output}},"cachedInputTokens":{{cached}},"reasoningTokens":0},"status":"ok"}
            """)!.AsObject();
        if (extra.Length > 0)
        {
            foreach (var (key, value) in JsonNode.Parse("{" + extra + "}")!.AsObject().ToList())
                node[key] = value?.DeepClone();
        }
        return node.ToJsonString();
    }

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadJsonAsync();
    }

    public static Task<HttpResponseMessage> IngestAsync(this HttpClient client, string body) => client.PostAsync("/api/v1/ingest", Json(body));
}
