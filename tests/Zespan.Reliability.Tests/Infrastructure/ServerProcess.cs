using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zespan.Reliability.Tests.Infrastructure;

/// <summary>
/// The built server (ZESPAN_SERVER_DLL, else artifacts/server/Zespan.Server.dll from scripts/build-server.sh) as a child
/// process on a free port, over a data folder the test owns, so it can be killed with SIGKILL and started again on the same files.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string ApiKey = "zsp_reliability_test_key_00000000001";
    public const string AdminPassword = "admin-password-for-reliability";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Starts the server on a port that was free a moment before. Another process's outgoing connection can take that
    /// port before the server binds it (the suites run in parallel, and the OS hands out ephemeral ports from the same
    /// range), so a start that fails to bind is tried again on another port (seen in CI: a whole fixture lost to it).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, IDictionary<string, string>? settings = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(dataDirectory, settings, FreePort());
            try
            {
                await server.WaitUntilReadyAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < BindAttempts && server.LostItsPort())
            {
                await server.DisposeAsync();
            }
        }
    }

    private const int BindAttempts = 5;

    /// <summary>The process exited because its port was taken between FreePort and its bind (its output read to the end).</summary>
    private bool LostItsPort()
    {
        if (!_process.HasExited)
            return false;
        _process.WaitForExit(); // without a timeout it also waits for the redirected output to be read
        return Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
    }

    private static ServerProcess Launch(string dataDirectory, IDictionary<string, string>? settings, int port)
    {
        var start = new ProcessStartInfo("dotnet", [ServerDll(), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ZESPAN_DATA"] = dataDirectory;
        start.Environment["ZESPAN_API_KEY"] = ApiKey;
        start.Environment["ZESPAN_ADMIN_PASSWORD"] = AdminPassword;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        var process = Process.Start(start)!;
        var server = new ServerProcess(process, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut of the process.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>Peak resident memory of the server so far (VmHWM), in bytes.</summary>
    public long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(':')[1].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException("VmHWM missing from /proc/pid/status");
    }

    public HttpClient Api(string key = ApiKey, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(BaseUrl),
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/health")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server did not become ready within 90 s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            if (_output.Length < 1_000_000)
                _output.AppendLine(line);
        }
    }

    private static string ServerDll()
    {
        var configured = Environment.GetEnvironmentVariable("ZESPAN_SERVER_DLL");
        if (!string.IsNullOrEmpty(configured))
            return configured;
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Zespan.slnx")))
            directory = directory.Parent;
        var dll = directory is null ? null : Path.Combine(directory.FullName, "artifacts", "server", "Zespan.Server.dll");
        if (dll is null || !File.Exists(dll))
            throw new InvalidOperationException("Zespan server not built: run scripts/build-server.sh (or set ZESPAN_SERVER_DLL)");
        return dll;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
