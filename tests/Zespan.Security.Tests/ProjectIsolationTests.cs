using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Zespan.Core.Storage;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>A key or a member of project A can neither read nor change anything of project B's organisation, and the reverse.</summary>
public sealed class ProjectIsolationTests : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..10];
    private ZespanApp _app = default!;

    private string SessionA => "sessA-" + _run;
    private string TraceA => "traceA-" + _run;
    private string UserA => "userA-" + _run;
    private string PromptA => "secretA-" + _run;
    private string SpanA => "spanA-" + _run;
    private string[] MarkersOfA => [SessionA, TraceA, UserA, PromptA, SpanA];

    public async Task InitializeAsync()
    {
        _app = await new ZespanApp().StartAsync();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        await _app.IngestAsync(ZespanApp.KeyA,
            Spans.Llm(SpanA, TraceA, SessionA, start, UserA, prompt: PromptA, tags: ["tagA-" + _run]),
            Spans.Llm(SpanA + "-2", TraceA, SessionA, start.AddSeconds(10), UserA, prompt: PromptA));
        await _app.IngestAsync(_app.KeyB, Spans.Llm("spanB-" + _run, "traceB-" + _run, "sessB-" + _run, start, "userB-" + _run));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task KeyOfB_ReadingEveryApiEndpointWithIdsOfA_SeesNothingOfA()
    {
        var clientB = _app.ApiClient(_app.KeyB);
        foreach (var endpoint in AppEndpoints.ApiReads(_app.Services))
        {
            foreach (var url in ProbeUrls(endpoint, "&by=userId&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&bucket=day"))
            {
                var response = await clientB.GetAsync(url);
                Assert.True((int)response.StatusCode < 500, $"{url} answered {(int)response.StatusCode}");
                AssertShowsNothingOfA(url, await response.Content.ReadAsStringAsync());
            }
        }
        Assert.Equal(HttpStatusCode.NotFound, (await clientB.GetAsync($"/api/v1/sessions/{SessionA}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await clientB.GetAsync($"/api/v1/traces/{TraceA}")).StatusCode);
        // The same request with A's key does see A's data, so the checks above would have caught a leak.
        var own = await _app.ApiClient(ZespanApp.KeyA).GetStringAsync($"/api/v1/sessions/{SessionA}");
        Assert.Contains(UserA, own);
    }

    [Fact]
    public async Task KeyOfB_WritingSpanIdsAndPricesOfA_ChangesNothingOfA()
    {
        var before = await SessionOfA();
        await _app.IngestAsync(_app.KeyB,
            Spans.Llm(SpanA, TraceA, SessionA, DateTimeOffset.UtcNow.AddMinutes(-3), "intruder", inputTokens: 999_999, status: "error"));
        var priced = await _app.ApiClient(_app.KeyB).PutAsJsonAsync("/api/v1/prices/gpt-4o", new { inputPerMillion = 1000, outputPerMillion = 1000 });
        Assert.Equal(HttpStatusCode.OK, priced.StatusCode);

        var after = await SessionOfA();
        Assert.Equal(before.GetProperty("turns").GetInt32(), after.GetProperty("turns").GetInt32());
        Assert.Equal(before.GetProperty("costUsd").GetDecimal(), after.GetProperty("costUsd").GetDecimal());
        Assert.Equal(0, after.GetProperty("errorCount").GetInt32());
        Assert.Equal(UserA, after.GetProperty("userId").GetString());
        Assert.Equal(2 * Spans.Gpt4oCost(1000, 200), after.GetProperty("costUsd").GetDecimal());
        var pricesOfA = await _app.ApiClient(ZespanApp.KeyA).GetStringAsync("/api/v1/prices");
        Assert.DoesNotContain("1000", pricesOfA.Split("\"builtIn\"")[0]);
    }

    [Fact]
    public async Task MemberOfB_OpeningEveryPageWithIdsOfA_SeesNothingOfA()
    {
        var bob = await _app.LoggedInAsync("bob");
        foreach (var page in AppEndpoints.Pages(_app.Services))
        {
            foreach (var url in ProbeUrls(page, ""))
            {
                var response = await bob.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True((int)response.StatusCode < 500, $"{url} answered {(int)response.StatusCode}");
                AssertShowsNothingOfA(url, body);
                Assert.DoesNotContain("Default key", body);
            }
        }
    }

    [Fact]
    public async Task MemberOfB_SwitchingToProjectOfA_IsRefused()
    {
        var bob = await _app.LoggedInAsync("bob");
        var response = await Forms.PostAsync(bob, "/settings", "/account/project",
            new() { ["projectId"] = _app.ProjectA.Id.ToString(), ["returnUrl"] = "/settings" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var settings = await bob.GetStringAsync("/settings");
        Assert.Contains("key B", settings);
        Assert.DoesNotContain("Default key", settings);
    }

    [Fact]
    public async Task MemberOfBothOrganisations_SwitchesProject_AndSeesOnlyTheChosenOne()
    {
        var alice = await _app.LoggedInAsync("alice");
        Assert.Contains("Default key", await alice.GetStringAsync("/settings"));
        var users = _app.Get<IUserStore>();
        var aliceAccount = (await users.FindByUsernameAsync("alice"))!;
        await users.AddMembershipAsync(aliceAccount.Id, _app.ProjectB.OrganizationId, Zespan.Core.Accounts.Role.Viewer);

        var response = await Forms.PostAsync(alice, "/settings", "/account/project", new() { ["projectId"] = _app.ProjectB.Id.ToString(), ["returnUrl"] = "/settings" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var settings = await alice.GetStringAsync("/settings");
        Assert.Contains("key B", settings);
        Assert.DoesNotContain("Default key", settings);
    }

    [Fact]
    public async Task MemberRemovedFromOrganisation_LosesAccessWithTheNextRequest()
    {
        var alice = await _app.LoggedInAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/settings")).StatusCode);
        var users = _app.Get<IUserStore>();
        var aliceAccount = (await users.FindByUsernameAsync("alice"))!;
        await users.RemoveMembershipAsync(aliceAccount.Id, _app.ProjectA.OrganizationId);

        var response = await alice.GetAsync("/settings");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/login", response.Headers.Location!.ToString());
    }

    /// <summary>Each id of A in the route, then each as a filter; a page may echo what it was asked for, nothing more.</summary>
    private IEnumerable<string> ProbeUrls(AppEndpoint endpoint, string extraQuery)
    {
        foreach (var id in new[] { SessionA, TraceA, UserA, SpanA })
            yield return endpoint.Fill(id) + "?x=1" + extraQuery;
        foreach (var (name, value) in new[] { ("userId", UserA), ("sessionId", SessionA), ("traceId", TraceA) })
            yield return endpoint.Fill("none") + $"?{name}={value}" + extraQuery;
    }

    private void AssertShowsNothingOfA(string url, string body)
    {
        foreach (var marker in MarkersOfA.Where(m => !url.Contains(m, StringComparison.Ordinal)))
            Assert.False(body.Contains(marker, StringComparison.Ordinal), $"{url} shows {marker} of project A");
    }

    private async Task<JsonElement> SessionOfA()
    {
        var json = await _app.ApiClient(ZespanApp.KeyA).GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{SessionA}");
        return json.GetProperty("session");
    }
}
