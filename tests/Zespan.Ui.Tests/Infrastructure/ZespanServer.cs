using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>
/// A real Zespan server process on a port it picks itself (port 0; the port is read from Kestrel's "Now listening on"
/// line) with its own empty data folder, stopped and deleted on dispose. A port picked by the test and handed to the
/// server could be taken in between by another suite's outgoing connection (seen in CI as "address already in use").
/// </summary>
public sealed partial class ZespanServer : IAsyncDisposable
{
    public const string ApiKey = "zsp_ui_tests_key_0123456789abcdef";
    public const string AdminPassword = "ui-tests-password-42";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly string dataDirectory;
    private readonly StringBuilder log = new();

    /// <summary>http://127.0.0.1:PORT once started.</summary>
    public string BaseUrl { get; private set; } = "";
    public HttpClient Api { get; }

    private ZespanServer(Process process, string dataDirectory)
    {
        this.process = process;
        this.dataDirectory = dataDirectory;
        Api = new HttpClient();
        Api.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
    }

    public static async Task<ZespanServer> StartAsync()
    {
        var dll = Environment.GetEnvironmentVariable("ZESPAN_SERVER_DLL") is { Length: > 0 } fromEnv ? fromEnv : Metadata("ZespanServerDll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"Zespan server not built: {dll} is missing. Build src/Zespan.Server or set ZESPAN_SERVER_DLL.");
        var data = Directory.CreateTempSubdirectory("zespan-ui-").FullName;
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ZESPAN_DATA"] = data;
        // The seeded sessions span five weeks; on the default Free plan retention would remove the older ones mid-run.
        start.Environment["ZESPAN_PLAN"] = "scale";
        start.Environment["ZESPAN_API_KEY"] = ApiKey;
        start.Environment["ZESPAN_ADMIN_PASSWORD"] = AdminPassword;
        // The port is read from this category's "Now listening on" line; keep it logged whatever the environment says.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var server = new ZespanServer(Process.Start(start)!, data);
        server.process.OutputDataReceived += (_, e) => { lock (server.log) server.log.AppendLine(e.Data); };
        server.process.ErrorDataReceived += (_, e) => { lock (server.log) server.log.AppendLine(e.Data); };
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        try
        {
            var elapsed = Stopwatch.StartNew();
            server.BaseUrl = $"http://127.0.0.1:{await server.WaitForListeningPortAsync(elapsed)}";
            server.Api.BaseAddress = new Uri(server.BaseUrl);
            await server.WaitUntilHealthyAsync(elapsed);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public string Log { get { lock (log) return log.ToString(); } }

    /// <summary>The port in Kestrel's "Now listening on: http://127.0.0.1:PORT" line, once the server has printed it.</summary>
    private async Task<int> WaitForListeningPortAsync(Stopwatch elapsed)
    {
        while (true)
        {
            if (ListeningLine().Match(Log) is { Success: true } match)
                return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (process.HasExited)
            {
                process.WaitForExit(); // without a timeout it also waits for the redirected output to be read
                throw new InvalidOperationException("The Zespan server exited during start-up:\n" + Log);
            }
            if (elapsed.Elapsed > StartTimeout)
                throw new TimeoutException("The Zespan server did not print Kestrel's \"Now listening on: http://127.0.0.1:<port>\" within 60 s:\n" + Log);
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    private async Task WaitUntilHealthyAsync(Stopwatch elapsed)
    {
        while (elapsed.Elapsed < StartTimeout)
        {
            if (process.HasExited)
                throw new InvalidOperationException("The Zespan server exited during start-up:\n" + Log);
            try
            {
                if ((await Api.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The Zespan server did not answer /health within 60 s:\n" + Log);
    }

    public static string Metadata(string key) =>
        typeof(ZespanServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
    }
}
