using System.Net;
using Zespan.Security.Tests.Infrastructure;
using Zespan.Server.Cli;

namespace Zespan.Security.Tests;

/// <summary>The `zespan` command line: help on every command, and the operator's password reset ending older logins.</summary>
public sealed class CommandLineTests : IAsyncLifetime
{
    private ZespanApp _app = default!;

    public async Task InitializeAsync() => _app = await new ZespanApp().StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    [InlineData("-h")]
    [InlineData("keys --help")]
    [InlineData("keys create --help")]
    [InlineData("keys list -h")]
    [InlineData("keys revoke --help")]
    [InlineData("users --help")]
    [InlineData("users list --help")]
    [InlineData("users reset-password --help")]
    public async Task EveryCommand_AnswersHelp_WithExitCodeZero_EvenWithoutADatabase(string command)
    {
        var empty = Directory.CreateTempSubdirectory("zespan-cli-empty-").FullName;
        var (code, output, error) = await RunCli(empty, command.Split(' '));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("Usage", output);
        Assert.Contains("zespan " + (command.StartsWith("users") ? "users reset-password" : "keys create"), output);
        Assert.False(File.Exists(Path.Combine(empty, "zespan.db")), "help must not create a database");
    }

    [Theory]
    [InlineData("a\u001b[31mred")]
    [InlineData("line\r\nbreak")]
    [InlineData("tab\there")]
    public async Task AKeyNameWithControlCharacters_IsRefused_SoKeysListNeverPrintsThem(string name)
    {
        var (code, output, error) = await RunCli(_app.DataDirectory, "keys", "create", "--name", name);
        Assert.Equal(2, code);
        Assert.Contains("must not contain control characters", error);
        Assert.DoesNotContain("zsp_", output);
    }

    [Theory]
    [InlineData("keys bogus", "one of create, list, revoke")]
    [InlineData("users bogus", "one of list, reset-password")]
    [InlineData("users reset-password", "Name the user")]
    public async Task AWrongCommandLine_SaysWhatToType_AndExitsTwo(string command, string hint)
    {
        var (code, _, error) = await RunCli(_app.DataDirectory, command.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(hint, error);
        Assert.Contains("Usage:", error);
    }

    [Fact]
    public async Task ResetPassword_PrintsANewOneOnce_TheOldOneStopsWorking_AndOpenLoginsEnd()
    {
        var alice = await _app.LoggedInAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/settings")).StatusCode);

        var (code, output, _) = await RunCli(_app.DataDirectory, "users", "reset-password", "alice");
        Assert.Equal(0, code);
        var password = output.Split('\n')[1].Trim();
        Assert.Equal(20, password.Length);

        var afterReset = await alice.GetAsync("/settings");
        Assert.Equal(HttpStatusCode.Redirect, afterReset.StatusCode);
        Assert.StartsWith("/login", afterReset.Headers.Location!.IsAbsoluteUri ? afterReset.Headers.Location.PathAndQuery : afterReset.Headers.Location.ToString());
        var old = await Forms.PostAsync(_app.Browser(), "/login", "/account/login",
            new() { ["username"] = "alice", ["password"] = ZespanApp.UserPassword });
        Assert.Contains("failed", old.Headers.Location!.ToString());
        var again = await _app.LoggedInAsync("alice", password);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/settings")).StatusCode);

        var (unknownCode, _, unknownError) = await RunCli(_app.DataDirectory, "users", "reset-password", "nobody");
        Assert.Equal(1, unknownCode);
        Assert.Contains("no user named \"nobody\"", unknownError);
    }

    [Fact]
    public async Task ChangePassword_NeedsTheCurrentOne_AndEndsOtherLogins()
    {
        var here = await _app.LoggedInAsync("alice");
        var elsewhere = await _app.LoggedInAsync("alice");
        var wrong = await Forms.PostAsync(here, "/settings/password", "/account/password",
            new() { ["currentPassword"] = "not-it", ["newPassword"] = "new-password-123", ["confirmPassword"] = "new-password-123" });
        Assert.EndsWith("outcome=wrong", wrong.Headers.Location!.ToString());
        var tooShort = await Forms.PostAsync(here, "/settings/password", "/account/password",
            new() { ["currentPassword"] = ZespanApp.UserPassword, ["newPassword"] = "short", ["confirmPassword"] = "short" });
        Assert.EndsWith("outcome=short", tooShort.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/settings")).StatusCode);

        var changed = await Forms.PostAsync(here, "/settings/password", "/account/password",
            new() { ["currentPassword"] = ZespanApp.UserPassword, ["newPassword"] = "new-password-123", ["confirmPassword"] = "new-password-123" });
        Assert.EndsWith("outcome=changed", changed.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/settings")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await elsewhere.GetAsync("/settings")).StatusCode);
        await _app.LoggedInAsync("alice", "new-password-123");
    }

    private static async Task<(int Code, string Output, string Error)> RunCli(string dataDirectory, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLine.RunAsync([.. args, "--data", dataDirectory], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
