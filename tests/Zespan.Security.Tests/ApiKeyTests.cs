using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Security.Tests.Infrastructure;
using Zespan.Server.Cli;

namespace Zespan.Security.Tests;

/// <summary>Keys are shown once, stored as hashes, show their last use, and stop working the moment they are revoked (UI or CLI).</summary>
public sealed partial class ApiKeyTests : IAsyncLifetime
{
    private ZespanApp _app = default!;

    public async Task InitializeAsync() => _app = await new ZespanApp().StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task KeyCreatedInSettings_IsShownOnce_StoredOnlyAsHash_AndWorks()
    {
        var alice = await _app.LoggedInAsync("alice");
        var page = await (await Forms.PostBlazorFormAsync(alice, "/settings", "create-key", new() { ["NewKeyName"] = "ci" })).Content.ReadAsStringAsync();
        var secret = SecretShown().Match(page).Groups[1].Value;
        Assert.StartsWith("zsp_", secret);
        Assert.DoesNotContain(secret, await alice.GetStringAsync("/settings"));

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_app.DataDirectory, "zespan.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, key_hash, display_prefix FROM api_keys WHERE name = 'ci'";
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(ApiKeySecret.Hash(secret), (byte[])reader[1]);
            Assert.False(secret.StartsWith(reader.GetString(2).TrimEnd('…'), StringComparison.Ordinal) && reader.GetString(2).Length >= secret.Length);
        }

        Assert.Equal(HttpStatusCode.OK, (await _app.ApiClient(secret).GetAsync("/api/v1/sessions")).StatusCode);
        await Eventually(async () => !(await alice.GetStringAsync("/settings")).Contains("<td>never</td>", StringComparison.Ordinal)
            || (await _app.Get<IProjectStore>().ListApiKeysAsync(_app.ProjectA.Id)).Single(k => k.Name == "ci").LastUsedMs is not null);
        var listed = (await _app.Get<IProjectStore>().ListApiKeysAsync(_app.ProjectA.Id)).Single(k => k.Name == "ci");
        Assert.NotNull(listed.LastUsedMs);
        Assert.Contains(Zespan.Core.Spans.Timestamps.Format(listed.LastUsedMs!.Value), await alice.GetStringAsync("/settings"));
    }

    [Fact]
    public async Task KeyRevokedInSettings_IsRefusedAtOnce()
    {
        var client = _app.ApiClient(ZespanApp.KeyA);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/sessions")).StatusCode);
        var keyId = (await _app.Get<IProjectStore>().ListApiKeysAsync(_app.ProjectA.Id)).Single().Id;
        var admin = await _app.LoggedInAsync("admin");
        var revoke = await Forms.PostBlazorFormAsync(admin, "/settings", "revoke-key", new() { ["RevokeKeyId"] = keyId.ToString() });
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/sessions")).StatusCode);
    }

    [Fact]
    public async Task KeyRevokedByCli_IsRefusedAtOnce_ByTheRunningServer()
    {
        var client = _app.ApiClient(ZespanApp.KeyA);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/sessions")).StatusCode); // now cached by the server
        var keyId = (await _app.Get<IProjectStore>().ListApiKeysAsync(_app.ProjectA.Id)).Single().Id;

        var (code, output, _) = await RunCli("keys", "revoke", keyId.ToString());
        Assert.Equal(0, code);
        Assert.Contains("Revoked API key", output);
        var ingest = await client.PostAsJsonAsync("/api/v1/ingest", new { batch = new[] { Spans.Llm("late", "t", "s-late", DateTimeOffset.UtcNow.AddMinutes(-1)) } });
        Assert.Equal(HttpStatusCode.Unauthorized, ingest.StatusCode);
    }

    [Fact]
    public async Task Cli_CreatesAndListsKeys_WithoutEverListingSecrets()
    {
        var (code, output, error) = await RunCli("keys", "create", "--project", _app.ProjectB.Id.ToString(), "--name", "from cli");
        Assert.True(code == 0, error);
        var secret = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("zsp_", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await _app.ApiClient(secret).GetAsync("/api/v1/sessions")).StatusCode);

        var (listCode, list, _) = await RunCli("keys", "list");
        Assert.Equal(0, listCode);
        Assert.Contains("from cli", list);
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain(ZespanApp.KeyA, list);

        var (badCode, _, usage) = await RunCli("keys", "create", "--name", "x");
        Assert.Equal(2, badCode);
        Assert.Contains("--project", usage);
    }

    [Fact]
    public async Task Viewer_CannotCreateOrRevokeKeys()
    {
        var vic = await _app.LoggedInAsync("vic");
        var keys = _app.Get<IProjectStore>();
        var keyId = (await keys.ListApiKeysAsync(_app.ProjectA.Id)).Single().Id;
        var page = await vic.GetStringAsync("/settings");
        Assert.DoesNotContain("create-key", page);
        // The form is not even rendered for viewers, so Blazor refuses the post (400); the handler would answer 403.
        AssertRefused((await Forms.PostBlazorFormAsync(vic, "/settings", "create-key", new() { ["NewKeyName"] = "sneaky" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Forms.PostBlazorFormAsync(vic, "/settings", "revoke-key", new() { ["RevokeKeyId"] = keyId.ToString() })).StatusCode);
        var after = await keys.ListApiKeysAsync(_app.ProjectA.Id);
        Assert.Single(after);
        Assert.False(after[0].IsRevoked);
    }

    [Fact]
    public async Task Plan_IsShown_AndOnlyAnAdminCanChangeIt()
    {
        var alice = await _app.LoggedInAsync("alice");
        Assert.Contains("Free", await alice.GetStringAsync("/settings"));
        AssertRefused((await Forms.PostBlazorFormAsync(alice, "/settings", "change-plan", new() { ["NewPlan"] = "Scale" })).StatusCode);
        var organizations = _app.Get<IOrganizationStore>();
        Assert.Equal(Plan.Free, (await organizations.FindAsync(_app.ProjectA.OrganizationId))!.Plan);

        var admin = await _app.LoggedInAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await Forms.PostBlazorFormAsync(admin, "/settings", "change-plan", new() { ["NewPlan"] = "Team" })).StatusCode);
        Assert.Equal(Plan.Team, (await organizations.FindAsync(_app.ProjectA.OrganizationId))!.Plan);
        Assert.Contains("180 days", await alice.GetStringAsync("/settings"));
    }

    [Fact]
    public async Task AdminCreatesUser_WhoCanLogInAndSeeOnlyTheirOrganisation()
    {
        var admin = await _app.LoggedInAsync("admin");
        var page = await (await Forms.PostBlazorFormAsync(admin, "/settings/users", "create-user", new()
        {
            ["NewUsername"] = "carol", ["NewPassword"] = "", ["NewUserOrganizationId"] = _app.ProjectB.OrganizationId.ToString(), ["NewUserRole"] = "member",
        })).Content.ReadAsStringAsync();
        var password = OneTimePassword().Match(page).Groups[1].Value;
        Assert.Equal(20, password.Length);
        var carol = await _app.LoggedInAsync("carol", password);
        var settings = await carol.GetStringAsync("/settings");
        Assert.Contains("key B", settings);
        Assert.DoesNotContain("Default key", settings);
        // Non-admins cannot open the users page.
        Assert.NotEqual(HttpStatusCode.OK, (await carol.GetAsync("/settings/users")).StatusCode);
    }

    private async Task<(int Code, string Output, string Error)> RunCli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLine.RunAsync([.. args, "--data", _app.DataDirectory], output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertRefused(HttpStatusCode status) =>
        Assert.True(status is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"expected a refusal, got {(int)status}");

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 50 && !await condition(); i++)
            await Task.Delay(100);
    }

    [GeneratedRegex("class=\"secret-value\">(zsp_[A-Za-z0-9]+)<")]
    private static partial Regex SecretShown();

    [GeneratedRegex("class=\"secret-value\">([A-Za-z0-9]+)<")]
    private static partial Regex OneTimePassword();
}
