using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// Issue 7: spans still queued when a program simply returns from Main reach the server, delivered by the SDK's
/// AppDomain.ProcessExit handler. The program is a real child process (tests/Zespan.Sdk.ExitApp).
/// </summary>
[Collection(ZespanServerCollection.Name)]
public sealed class ProcessExitFlushTests
{
    private readonly ZespanServerFixture _fixture;

    public ProcessExitFlushTests(ZespanServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task ProgramThatReturnsFromMainWithoutFlushing_StillDeliversEverySpan()
    {
        string session = "exit-" + Guid.NewGuid().ToString("N");

        (int exitCode, string output) = await RunExitAppAsync(session, TimeSpan.FromSeconds(25));

        Assert.True(exitCode == 0, $"exit app failed ({exitCode}):\n{output}");
        // Proof that nothing had been sent while the app ran: all four spans were queued when Main returned.
        Assert.Contains("pending-at-exit=4", output);

        // The process has exited, so delivery already happened: no waiting here.
        JsonObject? detail = await _fixture.Server.GetSessionAsync(session);
        Assert.NotNull(detail);
        Assert.Equal(3, detail["session"]!["turns"]!.GetValue<int>());
        Assert.Equal("exit-app-user", detail["session"]!["userId"]!.GetValue<string>());

        string traceId = Assert.Single(detail["timeline"]!.AsArray().Select(t => t!["traceId"]!.GetValue<string>()).Distinct());
        JsonArray spans = (await _fixture.Server.GetTraceAsync(traceId))["spans"]!.AsArray();
        Assert.Equal(4, spans.Count);
        JsonNode parent = Assert.Single(spans, s => s!["kind"]!.GetValue<string>() == "span")!;
        Assert.Equal("exit-app-work", parent["name"]!.GetValue<string>());
        Assert.All(spans.Where(s => s!["kind"]!.GetValue<string>() == "llm"), llm =>
        {
            Assert.Equal(parent["id"]!.GetValue<string>(), llm!["parentId"]!.GetValue<string>());
            Assert.Equal("ok", llm["status"]!.GetValue<string>());
            Assert.True(llm["usage"]!["inputTokens"]!.GetValue<long>() > 0);
        });
    }

    private async Task<(int ExitCode, string Output)> RunExitAppAsync(string session, TimeSpan timeout)
    {
        string dll = typeof(ProcessExitFlushTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ExitAppDll").Value!;
        Assert.True(File.Exists(dll), $"exit app not built: {dll}");

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(_fixture.OpenAI.Endpoint.ToString());
        start.ArgumentList.Add(session);
        start.Environment["ZESPAN_API_KEY"] = ZespanServerProcess.ApiKey;
        start.Environment["ZESPAN_BASE_URL"] = _fixture.Server.BaseUrl.ToString();

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"exit app still running after {timeout.TotalSeconds:0}s");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
