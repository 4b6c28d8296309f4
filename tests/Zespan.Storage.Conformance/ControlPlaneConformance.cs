using Zespan.Core.Accounts;
using Zespan.Core.Pricing;
using Zespan.Core.Projects;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// Every control-plane store: organisations and plans, projects, API keys and their revocation, prices, users and
/// memberships, the change counters servers cache by, leases and the set-up lock; and what two openings of one
/// database (two servers, or a server and the CLI) see of each other's changes.
/// </summary>
public abstract class ControlPlaneConformance(IControlPlaneFactory factory) : IAsyncLifetime
{
    protected ControlPlaneUnderTest Store { get; private set; } = null!;
    protected long ProjectId { get; private set; }

    public async Task InitializeAsync()
    {
        Store = await factory.CreateAsync();
        ProjectId = await NewProjectAsync("Conformance");
    }

    public async Task DisposeAsync() => await Store.DisposeAsync();

    protected async Task<long> NewProjectAsync(string name)
    {
        var organization = await Store.Organizations.CreateAsync(name + " org", Plan.Free);
        return (await Store.Projects.CreateProjectAsync(organization.Id, name)).Id;
    }

    [Fact]
    public async Task ProjectPrices_AreStoredPerProject_AndFoundByFamily()
    {
        var other = await NewProjectAsync("Other");
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("gpt-4o", 2.125m, 1.0625m, 8.5m));
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("in-house-llm", 0.3m, null, 0.9m));
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("claude-house", 3m, 0.3m, 15m, CacheCreationInputPerMillion: 3.75m));

        var table = await Store.Projects.GetProjectPricesAsync(ProjectId);
        Assert.Equal(3, table.All.Count);
        Assert.Equal(3.75m, table.Find("claude-house-20260101")!.CacheCreationInputPerMillion);
        Assert.Null(table.Find("gpt-4o")!.CacheCreationInputPerMillion);
        var found = table.Find("gpt-4o-2024-08-06")!;
        Assert.Equal((2.125m, (decimal?)1.0625m, 8.5m), (found.InputPerMillion, found.CachedInputPerMillion, found.OutputPerMillion));
        Assert.Null(table.Find("in-house-llm")!.CachedInputPerMillion);
        Assert.Empty((await Store.Projects.GetProjectPricesAsync(other)).All);

        // Setting again overwrites; deleting removes only that project's price.
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("gpt-4o", 3m, null, 9m, CacheCreationInputPerMillion: 4m));
        Assert.Equal(4m, (await Store.Projects.GetProjectPricesAsync(ProjectId)).Find("gpt-4o")!.CacheCreationInputPerMillion);
        Assert.Equal(3m, (await Store.Projects.GetProjectPricesAsync(ProjectId)).Find("gpt-4o")!.InputPerMillion);
        Assert.False(await Store.Projects.DeleteProjectPriceAsync(other, "gpt-4o"));
        Assert.True(await Store.Projects.DeleteProjectPriceAsync(ProjectId, "gpt-4o"));
        Assert.Null((await Store.Projects.GetProjectPricesAsync(ProjectId)).Find("gpt-4o"));
        Assert.False(await Store.Projects.DeleteProjectPriceAsync(ProjectId, "gpt-4o"));
    }

    [Fact]
    public async Task SessionSettings_DefaultToFiveMinutes_AreStoredPerProject_AndSharedWithAnotherOpening()
    {
        var other = await NewProjectAsync("Other");
        Assert.Equal(300_000, (await Store.SessionSettings.GetAsync(ProjectId)).IdleGapMs);
        await Store.SessionSettings.SetAsync(ProjectId, new Zespan.Core.Sessions.ProjectSessionSettings(600_000));
        Assert.Equal(600_000, (await Store.SessionSettings.GetAsync(ProjectId)).IdleGapMs);
        Assert.Equal(300_000, (await Store.SessionSettings.GetAsync(other)).IdleGapMs);
        await Store.SessionSettings.SetAsync(ProjectId, new Zespan.Core.Sessions.ProjectSessionSettings(1_000));
        await using var second = await Store.OpenAnotherAsync();
        Assert.Equal(1_000, (await second.SessionSettings.GetAsync(ProjectId)).IdleGapMs);
    }

    [Fact]
    public async Task ApiKeys_AreFoundByHash_ListedWithoutSecret_AndRevocable()
    {
        var other = await NewProjectAsync("Other");
        var generated = await Store.Projects.CreateApiKeyAsync(ProjectId, "ci");
        var preset = await Store.Projects.CreateApiKeyAsync(ProjectId, "preset", "zsp_preset_key_0123456789");
        Assert.True(ApiKeySecret.LooksValid(generated.Secret));
        Assert.Equal("zsp_preset_key_0123456789", preset.Secret);

        Assert.Equal((generated.Info.Id, ProjectId), await Store.Projects.FindLiveKeyAsync(ApiKeySecret.Hash(generated.Secret)));
        Assert.Equal((preset.Info.Id, ProjectId), await Store.Projects.FindLiveKeyAsync(ApiKeySecret.Hash(preset.Secret)));
        Assert.Null(await Store.Projects.FindLiveKeyAsync(ApiKeySecret.Hash("zsp_never_issued_0000000")));

        var keys = await Store.Projects.ListApiKeysAsync(ProjectId);
        Assert.Equal(["ci", "preset"], keys.Select(k => k.Name));
        Assert.Equal("zsp_pres…", keys[1].DisplayPrefix);
        Assert.All(keys, k => Assert.DoesNotContain(k.DisplayPrefix, new[] { generated.Secret, preset.Secret }));
        Assert.Empty(await Store.Projects.ListApiKeysAsync(other));

        // Another project cannot revoke the key; its own project can, and the key stops working at once.
        Assert.False(await Store.Projects.RevokeApiKeyAsync(other, generated.Info.Id));
        Assert.NotNull(await Store.Projects.FindLiveKeyAsync(ApiKeySecret.Hash(generated.Secret)));
        Assert.True(await Store.Projects.RevokeApiKeyAsync(ProjectId, generated.Info.Id));
        Assert.Null(await Store.Projects.FindLiveKeyAsync(ApiKeySecret.Hash(generated.Secret)));
        Assert.NotNull(await Store.Projects.FindLiveKeyAsync(ApiKeySecret.Hash(preset.Secret)));
        Assert.True((await Store.Projects.ListApiKeysAsync(ProjectId))[0].IsRevoked);

        await Store.Projects.TouchApiKeyAsync(preset.Info.Id, Day0);
        Assert.Equal(Day0, (await Store.Projects.ListApiKeysAsync(ProjectId))[1].LastUsedMs);
    }

    [Fact]
    public async Task ApiKey_PresetSecretThatLooksInvalid_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Projects.CreateApiKeyAsync(ProjectId, "bad", "not-a-zespan-key"));
    }

    [Fact]
    public async Task Organizations_AndProjects_AreListedAndFound()
    {
        var organization = await Store.Organizations.CreateAsync("Acme", Plan.Pro);
        var project = await Store.Projects.CreateProjectAsync(organization.Id, "Support bot");
        Assert.Equal(Plan.Pro, (await Store.Organizations.FindAsync(organization.Id))!.Plan);
        Assert.True(await Store.Organizations.SetPlanAsync(organization.Id, Plan.Team));
        Assert.Equal(Plan.Team, (await Store.Organizations.FindAsync(organization.Id))!.Plan);
        Assert.Equal(project, await Store.Projects.FindProjectAsync(project.Id));
        Assert.Contains(project, await Store.Projects.ListProjectsAsync());
        Assert.Contains(await Store.Organizations.ListAsync(), o => o.Name == "Acme");
        Assert.Null(await Store.Projects.FindProjectAsync(987_654));
    }

    [Fact]
    public async Task Users_AreFoundByNameIgnoringCase_AndNamesAreUnique()
    {
        var alice = await Store.Users.CreateAsync("Alice", "hash-a", isAdmin: true);
        var bob = await Store.Users.CreateAsync("bob", "hash-b", isAdmin: false);
        Assert.Equal(alice, await Store.Users.FindByUsernameAsync("alice"));
        Assert.Equal(alice, await Store.Users.FindByUsernameAsync("ALICE"));
        Assert.Equal(bob, await Store.Users.FindAsync(bob.Id));
        Assert.Equal(("Alice", "hash-a", true), (alice.Username, alice.PasswordHash, alice.IsAdmin));
        Assert.False(bob.IsAdmin);
        Assert.Null(await Store.Users.FindByUsernameAsync("carol"));
        Assert.Null(await Store.Users.FindAsync(987_654));

        await Assert.ThrowsAnyAsync<Exception>(() => Store.Users.CreateAsync("ALICE", "hash-c", isAdmin: false));
        await Store.Users.CreateAsync("Carol", "hash-c", isAdmin: false);
        Assert.Equal(["Alice", "bob", "Carol"], (await Store.Users.ListAsync()).Select(u => u.Username));
    }

    [Fact]
    public async Task PasswordHash_IsReplacedForThatUserOnly()
    {
        var alice = await Store.Users.CreateAsync("alice", "hash-a", isAdmin: false);
        var bob = await Store.Users.CreateAsync("bob", "hash-b", isAdmin: false);
        Assert.True(await Store.Users.SetPasswordHashAsync(alice.Id, "hash-a2"));
        Assert.Equal("hash-a2", (await Store.Users.FindAsync(alice.Id))!.PasswordHash);
        Assert.Equal("hash-b", (await Store.Users.FindAsync(bob.Id))!.PasswordHash);
        Assert.False(await Store.Users.SetPasswordHashAsync(987_654, "hash-x"));
    }

    [Fact]
    public async Task Memberships_GiveExactlyTheOrganisationsProjects_AndRolesCanChange()
    {
        var user = await Store.Users.CreateAsync("member", "hash", isAdmin: false);
        var acme = await Store.Organizations.CreateAsync("Acme", Plan.Pro);
        var globex = await Store.Organizations.CreateAsync("Globex", Plan.Free);
        var acmeBot = await Store.Projects.CreateProjectAsync(acme.Id, "Acme bot");
        var acmeSearch = await Store.Projects.CreateProjectAsync(acme.Id, "Acme search");
        var globexBot = await Store.Projects.CreateProjectAsync(globex.Id, "Globex bot");
        Assert.Empty(await Store.Users.ProjectsOfAsync(user.Id));

        await Store.Users.AddMembershipAsync(user.Id, acme.Id, Role.Viewer);
        Assert.Equal([acmeBot, acmeSearch], await Store.Users.ProjectsOfAsync(user.Id));
        await Store.Users.AddMembershipAsync(user.Id, acme.Id, Role.Owner);   // again: changes the role, no second row
        await Store.Users.AddMembershipAsync(user.Id, globex.Id, Role.Member);
        Assert.Equal([new Membership(user.Id, acme.Id, Role.Owner), new Membership(user.Id, globex.Id, Role.Member)],
            await Store.Users.MembershipsAsync(user.Id));
        Assert.Equal([new Membership(user.Id, acme.Id, Role.Owner)], await Store.Users.MembersOfAsync(acme.Id));
        Assert.Equal([acmeBot, acmeSearch, globexBot], await Store.Users.ProjectsOfAsync(user.Id));

        Assert.True(await Store.Users.RemoveMembershipAsync(user.Id, acme.Id));
        Assert.False(await Store.Users.RemoveMembershipAsync(user.Id, acme.Id));
        Assert.Equal([globexBot], await Store.Users.ProjectsOfAsync(user.Id));
        Assert.Empty(await Store.Users.MembersOfAsync(acme.Id));
    }

    [Fact]
    public async Task RevocationCounter_MovesOnRevocationOnly()
    {
        var start = await Store.Versions.ReadAsync();
        var key = await Store.Projects.CreateApiKeyAsync(ProjectId, "ci");
        await Store.Projects.TouchApiKeyAsync(key.Info.Id, Day0);
        Assert.Equal(start.KeyRevocations, (await Store.Versions.ReadAsync()).KeyRevocations);

        await Store.Projects.RevokeApiKeyAsync(ProjectId, key.Info.Id);
        var revoked = await Store.Versions.ReadAsync();
        Assert.True(revoked.KeyRevocations > start.KeyRevocations);
        await Store.Projects.RevokeApiKeyAsync(ProjectId, key.Info.Id);   // already revoked: nothing changes
        Assert.Equal(revoked.KeyRevocations, (await Store.Versions.ReadAsync()).KeyRevocations);
        Assert.Equal(start.Prices, revoked.Prices);
    }

    [Fact]
    public async Task PriceCounter_MovesOnEveryPriceChange()
    {
        var before = (await Store.Versions.ReadAsync()).Prices;
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("in-house", 1m, null, 2m));
        var afterSet = (await Store.Versions.ReadAsync()).Prices;
        Assert.True(afterSet > before);
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("in-house", 1.5m, null, 2m));
        var afterUpdate = (await Store.Versions.ReadAsync()).Prices;
        Assert.True(afterUpdate > afterSet);
        await Store.Projects.DeleteProjectPriceAsync(ProjectId, "in-house");
        Assert.True((await Store.Versions.ReadAsync()).Prices > afterUpdate);
    }

    [Fact]
    public async Task SecondOpening_SeesKeysRevocationsPricesPlansAndMembershipsAtOnce()
    {
        await using var other = await Store.OpenAnotherAsync();
        var key = await Store.Projects.CreateApiKeyAsync(ProjectId, "shared");
        Assert.Equal((key.Info.Id, ProjectId), await other.Projects.FindLiveKeyAsync(ApiKeySecret.Hash(key.Secret)));

        var seen = await other.Versions.ReadAsync();
        Assert.True(await other.Projects.RevokeApiKeyAsync(ProjectId, key.Info.Id));
        Assert.True((await Store.Versions.ReadAsync()).KeyRevocations > seen.KeyRevocations);
        Assert.Null(await Store.Projects.FindLiveKeyAsync(ApiKeySecret.Hash(key.Secret)));

        await other.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("shared-model", 4m, null, 8m));
        Assert.True((await Store.Versions.ReadAsync()).Prices > seen.Prices);
        Assert.Equal(4m, (await Store.Projects.GetProjectPricesAsync(ProjectId)).Find("shared-model")!.InputPerMillion);

        var organization = (await Store.Projects.FindProjectAsync(ProjectId))!.OrganizationId;
        await other.Organizations.SetPlanAsync(organization, Plan.Scale);
        Assert.Equal(Plan.Scale, (await Store.Organizations.FindAsync(organization))!.Plan);

        var user = await Store.Users.CreateAsync("shared-user", "hash", isAdmin: false);
        await other.Users.AddMembershipAsync(user.Id, organization, Role.Member);
        Assert.Equal([ProjectId], (await Store.Users.ProjectsOfAsync(user.Id)).Select(p => p.Id));
    }

    [Fact]
    public async Task Lease_IsHeldByOneHolder_RenewedByIt_AndFreeAfterReleaseOrExpiry()
    {
        await using var other = await Store.OpenAnotherAsync();
        Assert.Null(await Store.Leases.HolderAsync("retention:x"));
        Assert.True(await Store.Leases.TryAcquireAsync("retention:x", "server-a", TimeSpan.FromMinutes(5)));
        Assert.False(await other.Leases.TryAcquireAsync("retention:x", "server-b", TimeSpan.FromMinutes(5)));
        Assert.True(await other.Leases.TryAcquireAsync("retention:y", "server-b", TimeSpan.FromMinutes(5)));   // another scope is free
        Assert.True(await Store.Leases.TryAcquireAsync("retention:x", "server-a", TimeSpan.FromMinutes(5)));   // renewal
        Assert.Equal("server-a", await other.Leases.HolderAsync("retention:x"));

        await other.Leases.ReleaseAsync("retention:x", "server-b");   // not the holder: no effect
        Assert.Equal("server-a", await Store.Leases.HolderAsync("retention:x"));
        await Store.Leases.ReleaseAsync("retention:x", "server-a");
        Assert.Null(await other.Leases.HolderAsync("retention:x"));
        Assert.True(await other.Leases.TryAcquireAsync("retention:x", "server-b", TimeSpan.FromMilliseconds(300)));
        Assert.False(await Store.Leases.TryAcquireAsync("retention:x", "server-a", TimeSpan.FromMinutes(5)));

        await Task.Delay(700);   // server-b's lease has run out: server-a may take over
        Assert.Null(await Store.Leases.HolderAsync("retention:x"));
        Assert.True(await Store.Leases.TryAcquireAsync("retention:x", "server-a", TimeSpan.FromMinutes(5)));
        Assert.Equal("server-a", await other.Leases.HolderAsync("retention:x"));
    }

    [Fact]
    public async Task Lease_ContendedByManyAtOnce_GoesToExactlyOne()
    {
        var openings = new List<ControlPlaneUnderTest>();
        for (var i = 0; i < 4; i++)
            openings.Add(await Store.OpenAnotherAsync());
        try
        {
            var attempts = openings.Select((o, i) => o.Leases.TryAcquireAsync("retention:race", $"server-{i}", TimeSpan.FromMinutes(5))).ToList();
            var won = await Task.WhenAll(attempts);
            Assert.Equal(1, won.Count(w => w));
            Assert.Equal($"server-{Array.IndexOf(won, true)}", await Store.Leases.HolderAsync("retention:race"));
        }
        finally
        {
            foreach (var opening in openings)
                await opening.DisposeAsync();
        }
    }

    [Fact]
    public async Task SetupLock_IsExclusiveAcrossOpenings()
    {
        await using var other = await Store.OpenAnotherAsync();
        var first = await Store.SetupLock.AcquireAsync();
        var second = other.SetupLock.AcquireAsync();
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        await first.DisposeAsync();
        await using var secondLock = await second.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
