using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ZespanSdk.Tests.Infrastructure;

/// <summary>
/// A real Zespan server process on a free loopback port with its own empty data folder. Found through
/// ZESPAN_SERVER_DLL, else &lt;repo&gt;/artifacts/server/Zespan.Server.dll (built by scripts/build-server.sh).
/// It can be stopped and started again on the same port and data, to play an outage.
/// </summary>
public sealed class ZespanServerProcess : IAsyncDisposable
{
    public const string ApiKey = "zsp_sdk_dotnet_tests_0123456789abcdef";

    private readonly string _dll;
    private readonly string _dataDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private ZespanServerProcess(string dll, int port)
    {
        _dll = dll;
        Port = port;
        _dataDirectory = Directory.CreateTempSubdirectory("zespan-sdk-dotnet-").FullName;
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public int Port { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>Authenticated client for the read API.</summary>
    public HttpClient Http { get; }

    public static async Task<ZespanServerProcess> StartAsync()
    {
        var server = new ZespanServerProcess(LocateDll(), FreePort());
        await server.StartAgainAsync();
        return server;
    }

    public static string LocateDll()
    {
        string? configured = Environment.GetEnvironmentVariable("ZESPAN_SERVER_DLL");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"ZESPAN_SERVER_DLL points to '{configured}', which does not exist.");
        }

        string candidate = Path.Combine(RepositoryRoot(), "artifacts", "server", "Zespan.Server.dll");
        return File.Exists(candidate)
            ? candidate
            : throw new InvalidOperationException("Zespan server not built: run scripts/build-server.sh");
    }

    /// <summary>Starts the process (again, after <see cref="StopAsync"/>) and waits until /health answers 200.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { _dll, "--urls", BaseUrl.ToString().TrimEnd('/') },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        start.Environment["ZESPAN_DATA"] = _dataDirectory;
        start.Environment["ZESPAN_API_KEY"] = ApiKey;
        start.Environment["ZESPAN_ADMIN_PASSWORD"] = "sdk-tests-admin-password";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Zespan server exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                if ((await probe.GetAsync("health")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Zespan server did not become healthy within 60s:\n{Output}");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>GET /api/v1/sessions/{id}; null while the server does not know the session (404).</summary>
    public async Task<JsonObject?> GetSessionAsync(string sessionId)
    {
        using HttpResponseMessage response = await Http.GetAsync($"api/v1/sessions/{Uri.EscapeDataString(sessionId)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET session {sessionId}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public async Task<JsonObject> GetTraceAsync(string traceId)
    {
        using HttpResponseMessage response = await Http.GetAsync($"api/v1/traces/{Uri.EscapeDataString(traceId)}");
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET trace {traceId}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Waits until the session has the expected number of turns (export is asynchronous).</summary>
    public Task<JsonObject> WaitForTurnsAsync(string sessionId, int turns, TimeSpan? timeout = null) =>
        Eventually.ReturnsAsync(
            () => GetSessionAsync(sessionId),
            s => s?["session"]?["turns"]?.GetValue<int>() == turns,
            timeout ?? TimeSpan.FromSeconds(30),
            $"session {sessionId} with {turns} turns")!;

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zespan.slnx")) || Directory.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Zespan server not built: run scripts/build-server.sh (repository root not found)");
    }
}
