using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Zespan.Core.Accounts;
using Zespan.Core.Projects;
using Zespan.Reliability.Tests.Infrastructure;
using Zespan.Server.Auth;
using Zespan.Storage.Sqlite;

namespace Zespan.Reliability.Tests;

/// <summary>
/// Two projects on one server process, each with its key and a member: every GET route of the app (API with the other
/// project's key; pages and exports logged in as the other project's member) is asked for the other project's ids, in
/// the route and as filters, and must show nothing of it. Both directions; a session id used by both projects too.
/// </summary>
public sealed class CrossProjectReadTests(CrossProjectReadTests.Server fixture, ITestOutputHelper output) : IClassFixture<CrossProjectReadTests.Server>
{
    private const string UserPassword = "member-password-for-reliability";
    private const string SharedSession = "shared-session";

    /// <summary>One project's ids (used in requests) and the content markers that must never reach the other project.</summary>
    public sealed record Tenant(string Name, string Key, HttpClient Api, HttpClient Browser)
    {
        public string Session => $"{Name}-session";
        public string Trace => $"{Name}-trace";
        public string User => $"{Name}-user";
        public string Span => $"{Name}-span";
        public string Model => $"{Name}-model";
        /// <summary>Stored only, never put in a request: finding one in the other project's answer is a leak.</summary>
        public string[] Markers => [$"{Name}-prompt-marker", $"{Name}-output-marker", $"{Name}-tag-marker", $"{Name}-meta-marker", $"{Name}-error-marker", $"{Name}-name-marker"];
        public string[] Ids => [Session, Trace, User, Span, Model, SharedSession];
    }

    public sealed class Server : ServerFixture
    {
        public Tenant A { get; private set; } = default!;
        public Tenant B { get; private set; } = default!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            // Project B, its key and its member, created on the same database as the CLI does beside a running server.
            var storage = new SqliteStorage(Database.PathIn(DataDirectory), TimeProvider.System);
            var organization = await storage.Organizations.CreateAsync("Org B", Plan.Free);
            var project = await storage.Projects.CreateProjectAsync(organization.Id, "Project B");
            var keyB = (await storage.Projects.CreateApiKeyAsync(project.Id, "key B")).Secret;
            var bob = await storage.Users.CreateAsync("bob", UiAuthentication.Hasher.HashPassword(null!, UserPassword), isAdmin: false);
            await storage.Users.AddMembershipAsync(bob.Id, organization.Id, Role.Member);
            var projectA = (await storage.Projects.ListProjectsAsync()).Single(p => p.Id != project.Id);
            var alice = await storage.Users.CreateAsync("alice", UiAuthentication.Hasher.HashPassword(null!, UserPassword), isAdmin: false);
            await storage.Users.AddMembershipAsync(alice.Id, projectA.OrganizationId, Role.Member);

            A = new Tenant("tenantA", ServerProcess.ApiKey, base.Server.Api(), await UiLogin.LoginAsync(base.Server.BaseUrl, "alice", UserPassword));
            B = new Tenant("tenantB", keyB, base.Server.Api(keyB), await UiLogin.LoginAsync(base.Server.BaseUrl, "bob", UserPassword));
            foreach (var tenant in new[] { A, B })
            {
                var response = await tenant.Api.IngestAsync(SpansOf(tenant));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var price = new StringContent("{\"inputPerMillion\": 1, \"outputPerMillion\": 2}", System.Text.Encoding.UTF8, "application/json");
                Assert.Equal(HttpStatusCode.OK, (await tenant.Api.PutAsync($"/api/v1/prices/{tenant.Model}", price)).StatusCode);
            }
        }

        private static IEnumerable<JsonObject> SpansOf(Tenant t)
        {
            foreach (var (id, session) in new[] { (t.Span, t.Session), (t.Span + "-2", t.Session), (t.Span + "-shared", SharedSession) })
            {
                var span = Spans.Llm(id, sessionId: session, traceId: t.Trace, userId: t.User, status: "error");
                span["model"] = t.Model;
                span["name"] = t.Markers[5];
                span["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = t.Markers[0] });
                span["output"] = new JsonObject { ["role"] = "assistant", ["content"] = t.Markers[1] };
                span["tags"] = new JsonArray(t.Markers[2]);
                span["metadata"] = new JsonObject { ["feature"] = t.Markers[3] };
                span["error"] = t.Markers[4];
                yield return span;
            }
        }
    }

    private static readonly Lazy<IReadOnlyList<AppRoute>> Routes = new(AppRoutes.Gets);

    [Fact]
    public async Task EveryGetRoute_AskedForTheOtherProjectsIds_ShowsNothingOfIt()
    {
        var routes = Routes.Value;
        Assert.Contains(routes, r => r.Pattern == "/api/v1/sessions/{sessionId}");
        Assert.Contains(routes, r => r.Pattern == "/traces/{TraceId}");
        var reads = 0;
        var leaks = new List<string>();
        foreach (var (reader, owner) in new[] { (fixture.B, fixture.A), (fixture.A, fixture.B) })
        {
            foreach (var route in routes)
            {
                foreach (var url in ProbeUrls(route, owner))
                {
                    var client = route.IsApi ? reader.Api : reader.Browser;
                    var response = await client.GetAsync(url);
                    var body = await response.Content.ReadAsStringAsync();
                    reads++;
                    Assert.True((int)response.StatusCode < 500, $"{reader.Name} GET {url} answered {(int)response.StatusCode}");
                    // A key is never refused here (pages may redirect: an admin-only page sends a member to the login).
                    Assert.False(route.IsApi && response.StatusCode == HttpStatusCode.Unauthorized, $"{reader.Name} GET {url}: key refused");
                    leaks.AddRange(owner.Markers.Where(m => body.Contains(m, StringComparison.Ordinal)).Select(m => $"{reader.Name} GET {url} shows {m}"));
                }
            }
        }
        output.WriteLine($"{routes.Count} GET routes, {reads} cross-project reads, {leaks.Count} leaks");
        Assert.Empty(leaks);
    }

    [Fact]
    public async Task EachProject_SeesItsOwnData_SoTheMatrixWouldSeeALeak()
    {
        foreach (var tenant in new[] { fixture.A, fixture.B })
        {
            var trace = await tenant.Api.GetStringAsync($"/api/v1/traces/{tenant.Trace}");
            Assert.Contains(tenant.Markers[0], trace);
            var page = await tenant.Browser.GetStringAsync($"/traces/{tenant.Trace}");
            Assert.Contains(tenant.Markers[5], page);
            // The session id both projects use holds only the reader's own call.
            var shared = await tenant.Api.GetJsonAsync($"/api/v1/sessions/{SharedSession}");
            Assert.Equal(1, (int)shared["session"]!["turns"]!);
            Assert.Equal(tenant.User, (string)shared["session"]!["userId"]!);
        }
    }

    /// <summary>Each of the owner's ids in the route, then each as every filter, with the parameters some reads require.</summary>
    private static IEnumerable<string> ProbeUrls(AppRoute route, Tenant owner)
    {
        const string required = "from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&bucket=day";
        var ids = route.HasParameters ? owner.Ids : ["none"];
        foreach (var id in ids)
            yield return route.Fill(id) + "?" + required;
        foreach (var by in new[] { "userId", "tag", "metadata.feature" })
            yield return route.Fill(owner.Session) + $"?by={by}&{required}";
        yield return route.Fill(owner.Session) + $"?userId={owner.User}&sessionId={owner.Session}&model={owner.Model}&traceId={owner.Trace}&status=error&{required}";
    }
}
