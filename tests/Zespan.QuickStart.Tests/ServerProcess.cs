using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Zespan.QuickStart.Tests;

/// <summary>
/// The real server as a child process with a fresh data folder, as a new user starts it, on a port it picks itself
/// (port 0; the port is read from Kestrel's "Now listening on" line). A port picked by the test and handed to the server
/// could be taken in between by another suite's outgoing connection (seen in CI as "address already in use"); a retry
/// on another port would not do here, as the first start prints the API key and admin password only once.
/// Found through ZESPAN_SERVER_DLL, else artifacts/server/Zespan.Server.dll (scripts/build-server.sh builds it).
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    /// <summary>http://127.0.0.1:PORT once started.</summary>
    public string BaseUrl { get; private set; } = "";
    public string DataDirectory { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Starts the server on a fresh data folder, or <paramref name="dataDirectory"/>; with <paramref name="defaultDataFolder"/>
    /// ZESPAN_DATA is left unset, so the server picks its default folder as it does for a new user.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string>? environment = null, string? dataDirectory = null,
        string? serverDll = null, string? workingDirectory = null, bool defaultDataFolder = false)
    {
        dataDirectory ??= defaultDataFolder ? "" : Directory.CreateTempSubdirectory("zespan-quickstart-").FullName;
        var start = new ProcessStartInfo("dotnet", [serverDll ?? ServerDll(), "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (defaultDataFolder)
            start.Environment.Remove("ZESPAN_DATA");
        else
            start.Environment["ZESPAN_DATA"] = dataDirectory;
        start.Environment.Remove("ZESPAN_API_KEY");
        start.Environment.Remove("ZESPAN_ADMIN_PASSWORD");
        // The port is read from this category's "Now listening on" line; keep it logged whatever the environment says.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        var process = Process.Start(start)!;
        var server = new ServerProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>The value printed after a banner label such as "API key:".</summary>
    public string? BannerValue(string label)
    {
        var match = Regex.Match(Output, Regex.Escape(label) + @"\s+(\S+)");
        return match.Success ? match.Groups[1].Value : null;
    }

    public string? PrintedAdminPassword() =>
        Regex.Match(Output, "user \"admin\", password (\\S+)") is { Success: true } m ? m.Groups[1].Value : null;

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        Match listening;
        while (!(listening = ListeningLine().Match(Output)).Success)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // without a timeout it also waits for the redirected output to be read
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The server did not print Kestrel's \"Now listening on: http://127.0.0.1:<port>\" within 60 s:\n{Output}");
            await Task.Delay(50);
        }
        BaseUrl = $"http://127.0.0.1:{listening.Groups[1].Value}";

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                // The banner is printed once the server listens; wait for both.
                if ((await http.GetAsync(BaseUrl + "/health")).StatusCode == HttpStatusCode.OK && Output.Contains("Zespan is running"))
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The server did not become ready within 60 s:\n{Output}");
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output) _output.AppendLine(line);
    }

    public static string ServerDll()
    {
        var configured = Environment.GetEnvironmentVariable("ZESPAN_SERVER_DLL");
        if (!string.IsNullOrEmpty(configured))
            return configured;
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Zespan.slnx")))
            directory = directory.Parent;
        var dll = directory is null ? null : Path.Combine(directory.FullName, "artifacts", "server", "Zespan.Server.dll");
        if (dll is null || !File.Exists(dll))
            throw new InvalidOperationException("Zespan server not built: run scripts/build-server.sh");
        return dll;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
