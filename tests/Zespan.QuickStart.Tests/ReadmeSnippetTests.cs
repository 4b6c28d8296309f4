using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Zespan.QuickStart.Tests;

/// <summary>The README's "Send a first call" block, run by bash as written (only the address is this test server's).</summary>
public sealed partial class ReadmeSnippetTests
{
    [Fact]
    public async Task FirstCallSnippet_RunsAsWritten_AndGivesTheReadmesCost()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"));
        var snippet = ShellBlocks().Matches(readme).Select(m => m.Groups[1].Value).Single(block => block.Contains("/api/v1/ingest"));
        await using var server = await ServerProcess.StartAsync();
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", snippet.Replace("http://localhost:5080", server.BaseUrl)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["ZESPAN_API_KEY"] = server.BannerValue("API key:")!;
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, $"the snippet failed ({bash.ExitCode}): {error}");

        // Two answers on stdout: the ingest result, then the sessions list.
        var text = await output;
        Assert.StartsWith("{\"accepted\":1,\"errors\":[]}", text);
        var list = JsonDocument.Parse(text["{\"accepted\":1,\"errors\":[]}".Length..]).RootElement;
        Assert.Equal(0.00475, list.GetProperty("data")[0].GetProperty("costUsd").GetDouble(), 12);
        Assert.Contains("**$0.00475**", readme);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "Zespan.slnx")))
            directory = directory.Parent;
        return directory.FullName;
    }

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlocks();
}
