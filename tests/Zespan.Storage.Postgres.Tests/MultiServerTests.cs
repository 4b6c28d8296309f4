using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Zespan.QuickStart.Tests;
using static Zespan.Storage.Postgres.Tests.ServerHelpers;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>
/// Two real server processes, each with its own data folder (telemetry), on one PostgreSQL control plane, started
/// together on an empty database: keys, revocations, logins, memberships, prices and plans made on one apply on the other.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MultiServerTests(PostgresCluster cluster) : IAsyncLifetime
{
    private string _database = "";
    private string _controlDb = "";
    private ServerProcess _a = null!;
    private ServerProcess _b = null!;

    public async Task InitializeAsync()
    {
        _database = await cluster.CreateDatabaseAsync();
        _controlDb = $"postgres://zespan@127.0.0.1:{cluster.Port}/{_database}";
        var a = StartAsync(_controlDb);
        var b = StartAsync(_controlDb);
        (_a, _b) = (await a, await b);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await cluster.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task StartingTogether_SetsUpOnce_AndKeysCreatedOrRevokedOnEither_ApplyOnBothAtTheNextRequest()
    {
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM projects"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM users"));
        Assert.Contains("Control plane:   PostgreSQL 127.0.0.1:", _a.Output);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_a, PresetKey, Llm("a-1", "s-a", now)));
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_b, PresetKey, Llm("b-1", "s-b", now)));

        // CLI: create a key; both servers take it at once. Revoke it; both refuse it at the next request, warm caches or not.
        var (created, createdOutput) = await CliAsync(_controlDb, "keys", "create", "--name", "from-cli");
        Assert.True(created == 0, createdOutput);
        var cliKey = Regex.Match(createdOutput, @"^zsp_\S+", RegexOptions.Multiline).Value;
        var cliKeyId = (long)(await ScalarAsync("SELECT id FROM api_keys WHERE name = 'from-cli'"))!;
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_a, cliKey, Llm("a-2", "s-a", now)));
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_b, cliKey, Llm("b-2", "s-b", now)));
        var (revoked, revokedOutput) = await CliAsync(_controlDb, "keys", "revoke", cliKeyId.ToString());
        Assert.True(revoked == 0, revokedOutput);
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(_a, cliKey, Llm("a-3", "s-a", now)));
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(_b, cliKey, Llm("b-3", "s-b", now)));
        var (_, listed) = await CliAsync(_controlDb, "keys", "list");
        Assert.Matches($@"(?m)^{cliKeyId}\s+1\s+from-cli\s+.*revoked", listed);

        // UI: create a key on A, use it on B; revoke it on B, A refuses it at the next request.
        using var admin = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(admin, _a, "admin", AdminPassword)).StatusCode);
        var page = await (await PostFormAsync(admin, _a, "/settings", "create-key", new() { ["NewKeyName"] = "from-ui" })).Content.ReadAsStringAsync();
        var uiKey = Regex.Match(page, @"zsp_[A-Za-z0-9_\-]{20,}").Value;
        Assert.NotEqual("", uiKey);
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_b, uiKey, Llm("b-4", "s-b", now)));
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_a, uiKey, Llm("a-4", "s-a", now)));
        var uiKeyId = (long)(await ScalarAsync("SELECT id FROM api_keys WHERE name = 'from-ui'"))!;
        Assert.Equal(HttpStatusCode.OK, (await PostFormAsync(admin, _b, "/settings", "revoke-key", new() { ["RevokeKeyId"] = uiKeyId.ToString() })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(_a, uiKey, Llm("a-5", "s-a", now)));
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(_b, uiKey, Llm("b-5", "s-b", now)));
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_a, PresetKey, Llm("a-6", "s-a", now)));
    }

    [Fact]
    public async Task LoginOnOne_IsValidOnTheOther_AndMembershipChangesApplyOnBoth()
    {
        using var admin = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(admin, _a, "admin", AdminPassword)).StatusCode);
        var settingsOnB = await admin.GetAsync(_b.BaseUrl + "/settings/users");
        Assert.Equal(HttpStatusCode.OK, settingsOnB.StatusCode);   // not a redirect to /login: B reads A's cookie

        // A user created on A logs in on B and works on A with that login.
        var organizationId = (long)(await ScalarAsync("SELECT id FROM organizations"))!;
        var createUser = await PostFormAsync(admin, _a, "/settings/users", "create-user", new()
        {
            ["NewUsername"] = "bea", ["NewPassword"] = "bea-password-123", ["NewUserOrganizationId"] = organizationId.ToString(), ["NewUserRole"] = "Member",
        });
        Assert.Equal(HttpStatusCode.OK, createUser.StatusCode);
        using var bea = Browser();
        var login = await LogInAsync(bea, _b, "bea", "bea-password-123");
        Assert.Equal("/sessions", login.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await bea.GetAsync(_a.BaseUrl + "/sessions")).StatusCode);

        // The admin removes Bea's membership on B; A stops serving her at her next request.
        var beaId = (long)(await ScalarAsync("SELECT id FROM users WHERE username = 'bea'"))!;
        Assert.Equal(HttpStatusCode.OK, (await PostFormAsync(admin, _b, "/settings/users", "remove-membership",
            new() { ["RemoveMembership"] = $"{beaId}:{organizationId}" })).StatusCode);
        var afterRemoval = await bea.GetAsync(_a.BaseUrl + "/sessions");
        Assert.Equal(HttpStatusCode.Redirect, afterRemoval.StatusCode);
        Assert.StartsWith("/login", afterRemoval.Headers.Location?.PathAndQuery ?? afterRemoval.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task PriceAndPlanChangedOnOne_ApplyOnTheOther()
    {
        // B prices with its cache warm; A sets the price; B's very next span uses it.
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_b, PresetKey, Llm("p-1", "before-price", now, model: "house-model")));
        Assert.Equal(JsonValueKind.Null, (await SessionAsync(_b, "before-price")).GetProperty("costUsd").ValueKind);
        var set = await ApiAsync(_a, PresetKey, HttpMethod.Put, "/api/v1/prices/house-model", new { inputPerMillion = 3m, outputPerMillion = 12m });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_b, PresetKey, Llm("p-2", "after-price", now, model: "house-model", inputTokens: 1000, outputTokens: 200)));
        Assert.Equal((1000 * 3m + 200 * 12m) / 1_000_000m, (await SessionAsync(_b, "after-price")).GetProperty("costUsd").GetDecimal());

        // Plans: on Scale (365 days) B's retention keeps a 20-day-old span; once A moves the organisation to Free (14 days),
        // B's retention (every second here) removes it.
        using var admin = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(admin, _a, "admin", AdminPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostFormAsync(admin, _a, "/settings", "change-plan", new() { ["NewPlan"] = "Scale" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await IngestAsync(_b, PresetKey, Llm("old-1", "twenty-days-old", now.AddDays(-20))));
        await Task.Delay(3_000);   // three retention runs on B under the Scale plan
        Assert.Equal(HttpStatusCode.OK, (await ApiAsync(_b, PresetKey, HttpMethod.Get, "/api/v1/sessions/twenty-days-old")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostFormAsync(admin, _a, "/settings", "change-plan", new() { ["NewPlan"] = "Free" })).StatusCode);
        Assert.True(await EventuallyAsync(async () =>
            (await ApiAsync(_b, PresetKey, HttpMethod.Get, "/api/v1/sessions/twenty-days-old")).StatusCode == HttpStatusCode.NotFound));
        Assert.Equal(HttpStatusCode.OK, (await ApiAsync(_b, PresetKey, HttpMethod.Get, "/api/v1/sessions/after-price")).StatusCode);
    }

    private static async Task<JsonElement> SessionAsync(ServerProcess server, string sessionId)
    {
        var response = await ApiAsync(server, PresetKey, HttpMethod.Get, "/api/v1/sessions/" + sessionId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("session");
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString(_database));
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}
