using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zespan.Reliability.Tests.Infrastructure;

namespace Zespan.Reliability.Tests;

/// <summary>
/// The hostile-input corpus (HostileInputCorpus) against the real server: never a 5xx; a refused span is named with its
/// field while its valid neighbours are stored; an accepted one can be read through every endpoint and page that shows it.
/// </summary>
public sealed class HostileInputTests(HostileInputTests.Server fixture) : IClassFixture<HostileInputTests.Server>
{
    private const string Placeholder = "__HOSTILE_VALUE__";

    public sealed class Server : ServerFixture
    {
        public HttpClient Api { get; private set; } = default!;
        public HttpClient Browser { get; private set; } = default!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Api = base.Server.Api();
            Browser = await UiLogin.LoginAsync(base.Server.BaseUrl, "admin", ServerProcess.AdminPassword);
        }
    }

    [Fact]
    public void Corpus_HasAtLeast200Cases_CoveringEveryField()
    {
        var total = HostileInputCorpus.ItemCases.Count + HostileInputCorpus.BodyCases.Count;
        Assert.True(total >= 200, $"only {total} cases");
        var fields = HostileInputCorpus.ItemCases.Values.Select(c => c.Field.Split('.')[0]).ToHashSet();
        var spanFields = Spans.Llm("x", sessionId: "s", userId: "u").Select(p => p.Key).Concat(["parentId", "error", "metadata", "tags"]);
        Assert.DoesNotContain(spanFields, f => !fields.Contains(f));
    }

    [Theory]
    [MemberData(nameof(HostileInputCorpus.ItemNames), MemberType = typeof(HostileInputCorpus))]
    public async Task HostileValue_IsRefusedByName_OrStoredAndReadable_NeighboursStored(string caseName)
    {
        var hostile = HostileInputCorpus.ItemCases[caseName];
        var key = "h" + Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(caseName)))[..10].ToLowerInvariant();
        var before = Spans.Llm(key + "-a", traceId: key + "-n");
        var after = Spans.Llm(key + "-b", traceId: key + "-n", offsetMs: 1);
        var span = Spans.Llm(key, traceId: key + "-t", sessionId: key + "-s", userId: key + "-u");
        span["parentId"] = key + "-a";
        span["error"] = null;
        span["costUsd"] = null; // priced by the server from its tokens, so huge token counts reach the cost arithmetic
        span["metadata"] = new JsonObject { ["plan"] = "pro" };
        span["tags"] = new JsonArray("beta");
        SetPlaceholder(span, hostile.Field);

        var body = Encoding.UTF8.GetBytes(new JsonObject { ["batch"] = new JsonArray(before, span, after) }.ToJsonString());
        body = Replace(body, Encoding.UTF8.GetBytes($"\"{Placeholder}\""), hostile.Value);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await fixture.Api.PostAsync("/api/v1/ingest", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {text}");
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.MultiStatus, $"the batch itself was refused, losing its valid neighbours: {(int)response.StatusCode} {text}");
        var answer = JsonNode.Parse(text)!;
        var errors = answer["errors"]!.AsArray();
        Assert.All(errors, e => Assert.Equal(1, (int)e!["index"]!));

        // The valid neighbours are stored whatever happened to the hostile span.
        var neighbours = (await fixture.Api.GetJsonAsync($"/api/v1/traces/{key}-n"))["spans"]!.AsArray();
        Assert.Equal(2, neighbours.Count);

        if (errors.Count == 1)
        {
            var message = (string)errors[0]!["message"]!;
            Assert.True(NamesField(message, hostile.FieldWord), $"the refusal does not name \"{hostile.Field}\": {message}");
            Assert.Equal(2, (int)answer["accepted"]!);
            return;
        }
        Assert.Equal(3, (int)answer["accepted"]!);
        await AssertReadableEverywhereAsync(body, key);
    }

    [Theory]
    [MemberData(nameof(HostileInputCorpus.BodyNames), MemberType = typeof(HostileInputCorpus))]
    public async Task HostileBody_IsRefusedWithAProblemNamingWhatIsWrong(string caseName)
    {
        var hostile = HostileInputCorpus.BodyCases[caseName];
        var content = new ByteArrayContent(hostile.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue(hostile.ContentType);
        if (hostile.ContentEncoding is not null)
            content.Headers.ContentEncoding.Add(hostile.ContentEncoding);
        var response = await fixture.Api.PostAsync("/api/v1/ingest", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {text}");
        if (response.IsSuccessStatusCode)
            return; // accepted (an empty batch, or a supported encoding): nothing to name
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (string?)JsonNode.Parse(text)?["detail"] ?? "";
        Assert.True(hostile.DetailWords.Any(w => detail.Contains(w, StringComparison.OrdinalIgnoreCase)),
            $"the refusal names none of {string.Join(", ", hostile.DetailWords)}: {detail}");
    }

    /// <summary>The field's name as a word ("id" in "valid" does not count); "tag" names "tags".</summary>
    private static bool NamesField(string message, string field) =>
        System.Text.RegularExpressions.Regex.IsMatch(message, $@"\b({field}|{field.TrimEnd('s')})\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    /// <summary>An accepted span can be opened through the API, the CSV export and the pages, and lists still answer.</summary>
    private async Task AssertReadableEverywhereAsync(byte[] body, string key)
    {
        // Read the ids as the server parsed them (the hostile value may be one of them).
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 200_000 });
        var stored = document.RootElement.GetProperty("batch")[1];
        string? Text(string name) => stored.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var traceId = Text("traceId")!;
        var sessionId = Text("sessionId");
        var userId = Text("userId");
        var id = Text("id")!;
        var kind = Text("kind");

        var trace = await fixture.Api.GetJsonAsync($"/api/v1/traces/{Spans.Escape(traceId)}");
        Assert.Contains(trace["spans"]!.AsArray(), s => (string)s!["id"]! == id);
        await AssertOkAsync(fixture.Browser, PageOf("traces", traceId));
        await AssertPageOkAsync(fixture.Browser, "traces", traceId);
        if (sessionId is not null && kind == "llm")
        {
            var session = await fixture.Api.GetJsonAsync($"/api/v1/sessions/{Spans.Escape(sessionId)}");
            Assert.Contains(session["timeline"]!.AsArray(), s => (string)s!["spanId"]! == id);
            await AssertOkAsync(fixture.Browser, PageOf("sessions", sessionId));
            await AssertPageOkAsync(fixture.Browser, "sessions", sessionId);
            if (userId is not null)
            {
                var sessions = await fixture.Api.GetJsonAsync($"/api/v1/users/{Spans.Escape(userId)}/sessions");
                Assert.Contains(sessions["data"]!.AsArray(), s => (string)s!["sessionId"]! == sessionId);
                await AssertOkAsync(fixture.Browser, PageOf("users", userId));
                await AssertPageOkAsync(fixture.Browser, "users", userId);
                var csv = await AssertOkAsync(fixture.Browser, $"/users/{Spans.Escape(userId)}/sessions.csv");
                Assert.True(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2, $"the user's CSV export has no session: {csv}");
            }
        }
        foreach (var path in new[] { "/api/v1/sessions?limit=500", "/api/v1/traces?limit=500", "/api/v1/sessions/stats", "/api/v1/costs/models",
                     "/api/v1/sessions/breakdown?by=userId", "/api/v1/sessions/breakdown?by=tag", "/api/v1/sessions/breakdown?by=metadata.plan" })
            await fixture.Api.GetJsonAsync(path);
        foreach (var path in new[] { "/sessions", "/traces", "/costs", "/sessions.csv" })
            await AssertOkAsync(fixture.Browser, path);
    }

    [Theory]
    [InlineData("a?b")]
    [InlineData("org/7/conv-1")]
    [InlineData("50%2F50")]
    [InlineData("%252F and /?#")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("by-id")]
    [InlineData("café ☕")]
    public async Task HandTypedPagePath_WithAPercentEncodedId_OpensThePage(string suffix)
    {
        var key = "p" + Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(suffix)))[..10].ToLowerInvariant();
        // The id exactly as given for the sessions, prefixed for the user and the trace so that "." and ".." are tried too.
        var (sessionId, userId, traceId) = (suffix, key + "/" + suffix, key + "?" + suffix);
        if (suffix is "." or ".." or "by-id")
            sessionId = suffix == "by-id" ? suffix : key + suffix;
        var response = await fixture.Api.IngestAsync([Spans.Llm(key, sessionId: sessionId, traceId: traceId, userId: userId)]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        foreach (var (page, id) in new[] { ("sessions", sessionId), ("users", userId), ("traces", traceId) })
        {
            var html = System.Net.WebUtility.HtmlDecode(await AssertPageOkAsync(fixture.Browser, page, id));
            Assert.Contains(id, html);
        }
        foreach (var page in new[] { "sessions", "users", "traces" })
        {
            var dot = await fixture.Browser.GetAsync($"/{page}/%2E");
            Assert.True((int)dot.StatusCode < 500, $"/{page}/%2E answered {(int)dot.StatusCode}");
        }
    }

    /// <summary>
    /// A page in the path form as a person types it (/sessions/{percent-encoded id}); a redirect to the query form is
    /// followed once, and must stay on this server's page of the same kind.
    /// </summary>
    private static async Task<string> AssertPageOkAsync(HttpClient browser, string page, string id)
    {
        var path = $"/{page}/{Spans.Escape(id)}";
        var response = await browser.GetAsync(path);
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            var location = response.Headers.Location!.OriginalString;
            Assert.StartsWith($"/{page}/by-id?id=", location);
            Assert.Equal(PageOf(page, id), location);
            response = await browser.GetAsync(location);
        }
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}");
        return text;
    }

    private static async Task<string> AssertOkAsync(HttpClient browser, string path)
    {
        var response = await browser.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}");
        return text;
    }

    private static void SetPlaceholder(JsonObject span, string field)
    {
        var parts = field.Split('.');
        JsonObject target = span;
        for (var i = 0; i < parts.Length - 1; i++)
            target = target[parts[i]] as JsonObject ?? (JsonObject)(target[parts[i]] = new JsonObject());
        target[parts[^1]] = Placeholder;
    }

    private static byte[] Replace(byte[] body, byte[] marker, byte[] value)
    {
        var at = body.AsSpan().IndexOf(marker);
        Assert.True(at >= 0, "placeholder missing");
        return [.. body.AsSpan(0, at), .. value, .. body.AsSpan(at + marker.Length)];
    }

    /// <summary>
    /// A page in the form that opens any id (docs/api.md, "Ids in URLs"): the id as a query value, which is decoded once
    /// and never matched against a route. The UI's own links use it for every id that is not plain ASCII.
    /// </summary>
    private static string PageOf(string page, string id) => $"/{page}/by-id?id={Uri.EscapeDataString(id)}";
}
