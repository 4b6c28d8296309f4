using System.Diagnostics;

namespace Zespan.QuickStart.Tests;

/// <summary>
/// The README's promise: one data folder, `.zespan-data` at the repository root, whichever directory the server or the
/// command line runs from. Checked on a throwaway checkout (its Zespan.slnx marker and a copy of the built server),
/// so the developer's own data folder is never touched.
/// </summary>
public sealed class DataFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("zespan-checkout-").FullName;

    [Fact]
    public async Task ServerStartedAtTheRoot_AndCliRunFromAnywhere_ShareTheRootsDataFolder()
    {
        File.WriteAllText(Path.Combine(_root, "Zespan.slnx"), "<Solution />");
        var serverFolder = Path.Combine(_root, "artifacts", "server");
        var built = Path.GetDirectoryName(ServerProcess.ServerDll())!;
        foreach (var file in Directory.GetFiles(built, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(serverFolder, Path.GetRelativePath(built, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        var dll = Path.Combine(serverFolder, "Zespan.Server.dll");
        var subfolder = Directory.CreateDirectory(Path.Combine(_root, "src", "Zespan.Server")).FullName;
        var expected = Path.Combine(_root, ".zespan-data");

        await using (var server = await ServerProcess.StartAsync(serverDll: dll, workingDirectory: _root, defaultDataFolder: true))
            Assert.Equal(Path.Combine(expected, "zespan.db"), server.BannerValue("Data:"));

        foreach (var directory in new[] { _root, subfolder, Path.GetTempPath() })
        {
            var (code, output, error) = await RunAsync(dll, directory, "keys", "list");
            Assert.True(code == 0, $"keys list from {directory} exited {code}: {error}");
            Assert.Contains("Default key", output);
            (code, output, _) = await RunAsync(dll, directory, "--help");
            Assert.Equal(0, code);
            Assert.Contains("Data folder now: " + expected, output);
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string dll, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        start.Environment.Remove("ZESPAN_DATA");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }
}
