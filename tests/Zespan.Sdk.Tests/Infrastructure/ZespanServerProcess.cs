using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ZespanSdk.Tests.Infrastructure;

/// <summary>
/// A real Zespan server process on a loopback port of its own choosing with its own empty data folder. Found through
/// ZESPAN_SERVER_DLL, else &lt;repo&gt;/artifacts/server/Zespan.Server.dll (built by scripts/build-server.sh).
/// It can be stopped and started again on the same port and data, to play an outage.
/// </summary>
public sealed partial class ZespanServerProcess : IAsyncDisposable
{
    public const string ApiKey = "zsp_sdk_dotnet_tests_0123456789abcdef";

    private const int RestartAttempts = 5;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _dll;
    private readonly string _dataDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private int _attemptOutputStart;

    private ZespanServerProcess(string dll)
    {
        _dll = dll;
        _dataDirectory = Directory.CreateTempSubdirectory("zespan-sdk-dotnet-").FullName;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    /// <summary>The port the server bound on its first start (0 before it); restarts keep it.</summary>
    public int Port { get; private set; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>Authenticated client for the read API.</summary>
    public HttpClient Http { get; }

    /// <summary>
    /// Starts the server on port 0, so the OS picks a free port as Kestrel binds it, and reads the port from Kestrel's
    /// "Now listening on" line. A port chosen by the test and handed to the server could be taken in between by another
    /// suite's outgoing connection (ephemeral ports come from the same range); seen in CI as "address already in use".
    /// </summary>
    public static async Task<ZespanServerProcess> StartAsync()
    {
        var server = new ZespanServerProcess(LocateDll());
        try
        {
            await server.LaunchAsync(0);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        server.Http.BaseAddress = server.BaseUrl;
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

    /// <summary>
    /// Starts the process again after <see cref="StopAsync"/>, on the same port (clients keep <see cref="BaseUrl"/>) and
    /// data, and waits until /health answers 200. While the server was down another process's outgoing connection may
    /// have taken the port; the start is then tried again on it a few times, a little later each time.
    /// </summary>
    public async Task StartAgainAsync()
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await LaunchAsync(Port);
                return;
            }
            catch (InvalidOperationException) when (attempt < RestartAttempts && LostItsPort())
            {
                await StopAsync();
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
        }
    }

    /// <summary>Starts the process on <paramref name="port"/> (0: any free one), sets <see cref="Port"/> to the one it bound, waits for /health.</summary>
    private async Task LaunchAsync(int port)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { _dll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        start.Environment["ZESPAN_DATA"] = _dataDirectory;
        start.Environment["ZESPAN_API_KEY"] = ApiKey;
        start.Environment["ZESPAN_ADMIN_PASSWORD"] = "sdk-tests-admin-password";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The port is read from this category's "Now listening on" line; keep it logged whatever the environment says.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";

        lock (_output)
        {
            _attemptOutputStart = _output.Length;
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var elapsed = Stopwatch.StartNew();
        int? listening = null;
        while (listening is null)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // without a timeout it also waits for the redirected output to be read
                throw new InvalidOperationException($"Zespan server exited with {_process.ExitCode}:\n{Output}");
            }
            if (elapsed.Elapsed > StartTimeout)
            {
                throw new TimeoutException(
                    $"Zespan server did not print Kestrel's \"Now listening on: http://127.0.0.1:<port>\" within {StartTimeout.TotalSeconds:0}s:\n{Output}");
            }
            listening = ListeningPort(AttemptOutput());
            if (listening is null)
            {
                await Task.Delay(50);
            }
        }
        if (port != 0 && listening != port)
        {
            throw new InvalidOperationException($"Zespan server was started on port {port} but listens on {listening}:\n{Output}");
        }
        Port = listening.Value;

        using var probe = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        while (elapsed.Elapsed < StartTimeout)
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
        throw new TimeoutException($"Zespan server did not become healthy within {StartTimeout.TotalSeconds:0}s:\n{Output}");
    }

    /// <summary>The port in Kestrel's "Now listening on: http://127.0.0.1:PORT" line, or null while it has not been printed.</summary>
    private static int? ListeningPort(string output) =>
        ListeningLine().Match(output) is { Success: true } match ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>The current start exited because its port was taken (only possible on a restart, which keeps the port).</summary>
    private bool LostItsPort()
    {
        if (_process is not { HasExited: true })
        {
            return false;
        }
        _process.WaitForExit(); // without a timeout it also waits for the redirected output to be read
        return AttemptOutput().Contains("address already in use", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What the current start has printed so far (the output of earlier starts is kept in <see cref="Output"/>).</summary>
    private string AttemptOutput()
    {
        lock (_output)
        {
            return _output.ToString(_attemptOutputStart, _output.Length - _attemptOutputStart);
        }
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
