using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>A real Zespan server process on a free port with its own empty data folder, stopped and deleted on dispose.</summary>
public sealed class ZespanServer : IAsyncDisposable
{
    public const string ApiKey = "zsp_ui_tests_key_0123456789abcdef";
    public const string AdminPassword = "ui-tests-password-42";

    private readonly Process process;
    private readonly string dataDirectory;
    private readonly StringBuilder log = new();

    public string BaseUrl { get; }
    public HttpClient Api { get; }

    private ZespanServer(Process process, string dataDirectory, string baseUrl)
    {
        this.process = process;
        this.dataDirectory = dataDirectory;
        BaseUrl = baseUrl;
        Api = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Api.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
    }

    public static async Task<ZespanServer> StartAsync()
    {
        var dll = Environment.GetEnvironmentVariable("ZESPAN_SERVER_DLL") is { Length: > 0 } fromEnv ? fromEnv : Metadata("ZespanServerDll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"Zespan server not built: {dll} is missing. Build src/Zespan.Server or set ZESPAN_SERVER_DLL.");
        var port = FreePort();
        var data = Directory.CreateTempSubdirectory("zespan-ui-").FullName;
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
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
        var server = new ZespanServer(Process.Start(start)!, data, $"http://127.0.0.1:{port}");
        server.process.OutputDataReceived += (_, e) => { lock (server.log) server.log.AppendLine(e.Data); };
        server.process.ErrorDataReceived += (_, e) => { lock (server.log) server.log.AppendLine(e.Data); };
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        await server.WaitUntilHealthyAsync();
        return server;
    }

    public string Log { get { lock (log) return log.ToString(); } }

    private async Task WaitUntilHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
