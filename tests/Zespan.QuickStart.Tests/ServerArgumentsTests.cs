using System.Diagnostics;

namespace Zespan.QuickStart.Tests;

/// <summary>
/// A server start whose arguments it cannot use says why and exits 2, instead of serving on the default port
/// (`zespan bogus`) or printing an unhandled exception (`--urls notaurl`).
/// </summary>
public sealed class ServerArgumentsTests
{
    [Theory]
    [InlineData("bogus", "\"bogus\" is not a command")]
    [InlineData("--bogus", "\"--bogus\" needs a value")]
    [InlineData("--data --urls http://127.0.0.1:0", "\"--data\" needs a value")]
    [InlineData("--urls notaurl", "Invalid url")]
    public async Task ArgumentsTheServerCannotUse_ExitTwoWithTheReason(string arguments, string reason)
    {
        var data = Directory.CreateTempSubdirectory("zespan-args-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(ServerProcess.ServerDll());
            foreach (var argument in arguments.Split(' '))
                start.ArgumentList.Add(argument);
            start.Environment["ZESPAN_DATA"] = data;
            start.Environment.Remove("ASPNETCORE_URLS");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(2, process.ExitCode);
            Assert.Contains(reason, await error);
            Assert.DoesNotContain("Unhandled exception", await error + await output);
            Assert.DoesNotContain("Now listening", await output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
