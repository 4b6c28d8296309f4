using Zespan.Core;
using Zespan.Core.Pricing;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>Project isolation, per-project prices, API keys and organisations.</summary>
public abstract class ProjectConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    [Fact]
    public async Task Projects_NeverSeeEachOthersData_EvenWithTheSameIds()
    {
        var other = await NewProjectAsync("Other");
        // Same span, session, trace and user ids in both projects, different figures.
        await WriteAsync(Llm("a", "s", Day0, userId: "u", inputTokens: 10, costPico: 1, model: "gpt-4o").WithTags("mine"));
        await WriteAsync(other, [Llm("a", "s", Day0 + Hour, userId: "u", inputTokens: 999, costPico: 9_999, model: "gpt-4o-mini").WithTags("theirs"),
                                 Llm("b", "only-other", Day0, traceId: "other-trace")]);

        var mine = (await Store.Sessions.GetAsync(ProjectId, "s"))!;
        Assert.Equal((10L, 1L, 1), (mine.Session.InputTokens, mine.Session.CostPico, mine.Session.Turns));
        Assert.Null(await Store.Sessions.GetAsync(ProjectId, "only-other"));
        var list = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = new SessionFilter { UserId = "u" } });
        Assert.Equal(1, list.TotalCount);
        Assert.Equal(1, (await Store.Sessions.ListAsync(ProjectId, new SessionQuery())).TotalCount);
        Assert.Equal(1, (await Store.Sessions.StatsAsync(ProjectId, SessionFilter.None)).Sessions);
        Assert.Equal(["mine"], (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByTag(), SessionFilter.None, 10)).Select(g => g.Group));
        Assert.Equal(["s"], (await Store.Sessions.TokenOutliersAsync(ProjectId, SessionFilter.None, 1.0, 10)).Select(o => o.Session.SessionId));

        var trace = Assert.Single((await Store.Traces.GetAsync(ProjectId, "trace-1"))!.Spans);
        Assert.Equal(10, trace.Usage.InputTokens);
        Assert.Null(await Store.Traces.GetAsync(ProjectId, "other-trace"));
        Assert.Equal(1, (await Store.Traces.ListAsync(ProjectId, new TraceQuery())).TotalCount);

        var models = await Store.Costs.ByModelAsync(ProjectId, TimeRange.All);
        Assert.Equal(("gpt-4o", 1L, 1L), (Assert.Single(models).Model, models[0].Calls, models[0].CostPico));
        var buckets = await Store.Costs.OverTimeAsync(ProjectId, new TimeRange(Day0, Day0 + Day), Day);
        Assert.Equal(1, Assert.Single(buckets).Calls);

        // And the other project still has its own figures.
        Assert.Equal(9_999, (await Store.Sessions.GetAsync(other, "s"))!.Session.CostPico);
        Assert.Equal(2, (await Store.Costs.ByModelAsync(other, TimeRange.All)).Sum(m => m.Calls));
    }

    [Fact]
    public async Task ProjectPrices_AreStoredPerProject_AndFoundByFamily()
    {
        var other = await NewProjectAsync("Other");
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("gpt-4o", 2.125m, 1.0625m, 8.5m));
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("in-house-llm", 0.3m, null, 0.9m));

        var table = await Store.Projects.GetProjectPricesAsync(ProjectId);
        Assert.Equal(2, table.All.Count);
        var found = table.Find("gpt-4o-2024-08-06")!;
        Assert.Equal((2.125m, (decimal?)1.0625m, 8.5m), (found.InputPerMillion, found.CachedInputPerMillion, found.OutputPerMillion));
        Assert.Null(table.Find("in-house-llm")!.CachedInputPerMillion);
        Assert.Empty((await Store.Projects.GetProjectPricesAsync(other)).All);

        // Setting again overwrites; deleting removes only that project's price.
        await Store.Projects.SetProjectPriceAsync(ProjectId, new ModelPrice("gpt-4o", 3m, null, 9m));
        Assert.Equal(3m, (await Store.Projects.GetProjectPricesAsync(ProjectId)).Find("gpt-4o")!.InputPerMillion);
        Assert.False(await Store.Projects.DeleteProjectPriceAsync(other, "gpt-4o"));
        Assert.True(await Store.Projects.DeleteProjectPriceAsync(ProjectId, "gpt-4o"));
        Assert.Null((await Store.Projects.GetProjectPricesAsync(ProjectId)).Find("gpt-4o"));
        Assert.False(await Store.Projects.DeleteProjectPriceAsync(ProjectId, "gpt-4o"));
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
}
