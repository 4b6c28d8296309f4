using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Server.Auth;

namespace Zespan.Server.Tests;

/// <summary>A key belongs to one project: it never reads or writes another, and a revoked key stops working.</summary>
public sealed class ProjectIsolationTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    [Fact]
    public async Task TwoProjectsKeys_NeverSeeEachOthersData()
    {
        var first = app.ClientWithKey();
        var (_, secondKey) = await app.CreateProjectAsync("Second");
        var second = app.ClientWithKey(secondKey);

        await first.IngestAsync(Api.Batch(Api.Span("iso-1", sessionId: "iso-conv", traceId: "iso-trace", input: 111, extra: "\"userId\":\"iso-user\"")));
        // The same ids in the other project are a different span, session and trace.
        await second.IngestAsync(Api.Batch(Api.Span("iso-1", sessionId: "iso-conv", traceId: "iso-trace", input: 999, extra: "\"userId\":\"iso-user\""),
                                           Api.Span("iso-only-second", sessionId: "iso-second-only", traceId: "iso-second-trace")));

        Assert.Equal(111, (long)(await first.GetJsonAsync("/api/v1/sessions/iso-conv"))["session"]!["inputTokens"]!);
        Assert.Equal(999, (long)(await second.GetJsonAsync("/api/v1/sessions/iso-conv"))["session"]!["inputTokens"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await first.GetAsync("/api/v1/sessions/iso-second-only")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await first.GetAsync("/api/v1/traces/iso-second-trace")).StatusCode);
        Assert.Equal(111, (long)(await first.GetJsonAsync("/api/v1/traces/iso-trace"))["spans"]![0]!["usage"]!["inputTokens"]!);

        var secondList = await second.GetJsonAsync("/api/v1/sessions?limit=500");
        Assert.Equal(2, (long)secondList["totalCount"]!);
        Assert.Equal(1, (long)(await second.GetJsonAsync("/api/v1/users/iso-user/sessions"))["totalCount"]!);
        var secondModels = await second.GetJsonAsync("/api/v1/costs/models");
        Assert.Equal(2, secondModels["data"]!.AsArray().Sum(m => (long)m!["calls"]!));
    }

    [Fact]
    public async Task RevokedKey_Gets401_AtOnce()
    {
        var (projectId, key) = await app.CreateProjectAsync("Revoked");
        var client = app.ClientWithKey(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/sessions")).StatusCode);

        var projects = app.Services.GetRequiredService<IProjectStore>();
        var keyId = (await projects.ListApiKeysAsync(projectId)).Single().Id;
        Assert.True(await projects.RevokeApiKeyAsync(projectId, keyId));
        app.Services.GetRequiredService<ApiKeyResolver>().Forget(keyId); // what the key-management UI does after revoking

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/sessions")).StatusCode);
        var ingest = await client.IngestAsync(Api.Batch(Api.Span("revoked-1", sessionId: "revoked-conv")));
        Assert.Equal(HttpStatusCode.Unauthorized, ingest.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.ClientWithKey().GetAsync("/api/v1/sessions/revoked-conv")).StatusCode);
    }

    [Fact]
    public async Task PresetKey_IsStoredOnlyAsAHash()
    {
        var projects = app.Services.GetRequiredService<IProjectStore>();
        Assert.NotNull(await projects.FindLiveKeyAsync(ApiKeySecret.Hash(ZespanApp.ApiKey)));
        var keys = await projects.ListApiKeysAsync((await projects.ListProjectsAsync())[0].Id);
        Assert.All(keys, k => Assert.NotEqual(ZespanApp.ApiKey, k.DisplayPrefix));
    }
}
