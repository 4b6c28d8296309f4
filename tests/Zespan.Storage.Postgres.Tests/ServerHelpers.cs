using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Zespan.QuickStart.Tests;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>What the multi-server tests do to real server processes: ingest, read, log in, post UI forms, run the CLI.</summary>
public static partial class ServerHelpers
{
    public const string AdminPassword = "multi-server-admin-pw";
    public const string PresetKey = "zsp_multi_server_preset_key_0123456789";

    /// <summary>Starts a server on the control-plane database with its own data folder (or a given, shared one).</summary>
    public static Task<ServerProcess> StartAsync(string controlDb, string? dataDirectory = null) =>
        ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["ZESPAN_CONTROL_DB"] = controlDb,
            ["ZESPAN_ADMIN_PASSWORD"] = AdminPassword,
            ["ZESPAN_API_KEY"] = PresetKey,
            ["ZESPAN_RETENTION_INTERVAL_SECONDS"] = "1",
        }, dataDirectory);

    public static async Task<HttpStatusCode> IngestAsync(ServerProcess server, string key, params object[] spans)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/api/v1/ingest") { Content = JsonContent.Create(new { batch = spans }) };
        request.Headers.Authorization = new("Bearer", key);
        return (await http.SendAsync(request)).StatusCode;
    }

    public static async Task<HttpResponseMessage> ApiAsync(ServerProcess server, string key, HttpMethod method, string path, object? body = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, server.BaseUrl + path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", key);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public static object Llm(string id, string sessionId, DateTimeOffset start, string model = "gpt-4o", int inputTokens = 1000, int outputTokens = 200) => new
    {
        id, traceId = "trace-" + id, sessionId, userId = "user-1", name = "chat.completions.create", kind = "llm", model, provider = "openai",
        startTime = start.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), endTime = start.AddMilliseconds(1500).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        usage = new { inputTokens, outputTokens, cachedInputTokens = 0, reasoningTokens = 0 },
    };

    /// <summary>A browser: cookies (which ignore ports, so one jar serves both servers on 127.0.0.1), no automatic redirects.</summary>
    public static HttpClient Browser() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

    public static async Task<HttpResponseMessage> LogInAsync(HttpClient browser, ServerProcess server, string username, string password)
    {
        var token = await AntiforgeryTokenAsync(browser, server.BaseUrl + "/login");
        return await browser.PostAsync(server.BaseUrl + "/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username, ["password"] = password, ["__RequestVerificationToken"] = token,
        }));
    }

    /// <summary>Posts a Blazor form of a page back to the page, with the page's antiforgery token, as a browser does.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, ServerProcess server, string page, string formName, Dictionary<string, string> fields)
    {
        var body = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(browser, server.BaseUrl + page),
        };
        var response = await browser.PostAsync(server.BaseUrl + page, new FormUrlEncodedContent(body));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<string> AntiforgeryTokenAsync(HttpClient browser, string url)
    {
        var response = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var match = TokenInput().Match(await response.Content.ReadAsStringAsync());
        Assert.True(match.Success, $"{url} renders no antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Runs `zespan &lt;args&gt;` (the server binary's CLI) against the control-plane database; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> CliAsync(string controlDb, params string[] args)
    {
        var dll = Environment.GetEnvironmentVariable("ZESPAN_SERVER_DLL") is { Length: > 0 } configured ? configured : ServerDllFromRepository();
        var start = new ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["ZESPAN_CONTROL_DB"] = controlDb;
        // An empty data folder: the CLI must not need a SQLite file when the control plane is on PostgreSQL.
        start.Environment["ZESPAN_DATA"] = Directory.CreateTempSubdirectory("zespan-cli-").FullName;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string ServerDllFromRepository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Zespan.slnx")))
            directory = directory.Parent;
        return Path.Combine(directory!.FullName, "artifacts", "server", "Zespan.Server.dll");
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking every 200 ms, up to <paramref name="seconds"/>.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(200);
        }
        return await condition();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
