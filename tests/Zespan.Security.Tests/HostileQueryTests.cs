using System.Text.RegularExpressions;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>
/// Every query parameter the server reads, on every GET endpoint and page it has, with hostile values: the answer is
/// a 2xx or a 4xx, never a 5xx. Endpoints come from the app's EndpointDataSource and parameter names from the server's
/// own source (every Query["name"] and [SupplyParameterFromQuery]), so new ones are fuzzed without editing this test.
/// </summary>
public sealed partial class HostileQueryTests : IAsyncLifetime
{
    /// <summary>Sent to each parameter on its own (a refusal of one parameter must not hide another). Already percent-encoded, as on the wire.</summary>
    private static readonly string[] HostileValues =
    [
        "NaN", "Infinity", "1e400", "-1", "0", "99999999999999999999999999", "", "%00", "%FF", "9999-12-31", new string('9', 5000), new string('a', 20_000),
        // Each a 500 once that the all-at-once sending hid behind another parameter's refusal: a NUL inside q= (the text
        // index's phrase syntax), and the first and last instants .NET can write as `to` (a baseline or buckets past them).
        "a%00b", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
    ];

    /// <summary>Sent to every parameter at once: cheaper, for the values that are less likely to be special to one parameter.</summary>
    private static readonly string[] MoreHostileValues =
    [
        "nan", "-Infinity", "-9223372036854775808", "%ED%B2%80", "0001-01-01", "1e308", "-1e400", "1.5", "-0", "0x10", "1%2C5", "9223372036854775807", "2147483648", "%20", "%C3%28",
        "%E2%98%83%F0%9F%98%80", "%0D%0ASet-Cookie:%20x=1", "2026-02-30", "2026-11-20T10:00:00+14:00",
        "custom", "24h", "metadata.", "metadata.%00", "asc", "%27%20OR%201%3D1", "%3Cscript%3E", "true", "null", "%5B%5D",
    ];

    private ZespanApp _app = default!;

    public async Task InitializeAsync()
    {
        _app = await new ZespanApp().StartAsync();
        var start = _app.Clock.GetUtcNow().AddHours(-2);
        await _app.IngestAsync(ZespanApp.KeyA,
            Spans.Llm("q-1", "q-trace", "q-session", start, "q-user", metadata: new { feature = "chat" }),
            Spans.Llm("q-2", "q-trace", "q-session", start.AddMinutes(1), "q-user", model: "in-house"));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static IReadOnlyList<string> ParameterNamesInSource()
    {
        var server = SourceFolder();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(server, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".cs") || f.EndsWith(".razor")))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                continue;
            var text = File.ReadAllText(file);
            foreach (Match m in QueryIndexer().Matches(text))
                names.Add(m.Groups[1].Value);
            foreach (Match m in NamedQueryParameter().Matches(text))
                names.Add(m.Groups[1].Value);
            foreach (Match m in UnnamedQueryParameter().Matches(text))
                names.Add(m.Groups[1].Value);
        }
        return names.ToList();
    }

    private static string SourceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Zespan.Server");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException("src/Zespan.Server not found above the test binaries");
    }

    [Fact]
    public void TheParameterListIsReadFromTheSource()
    {
        var names = ParameterNamesInSource();
        Assert.Superset(new HashSet<string> { "minRatio", "from", "to", "limit", "cursor", "sort", "order", "range", "span", "ReturnUrl", "group", "key" }, names.ToHashSet());
    }

    [Fact]
    public async Task HostileQueryValues_OnEveryApiEndpoint_NeverGetA5xx()
    {
        var client = _app.ApiClient(ZespanApp.KeyA);
        var failures = await FuzzAsync(client, AppEndpoints.ApiReads(_app.Services));
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    [Fact]
    public async Task HostileQueryValues_OnEveryPageAndExport_NeverGetA5xx()
    {
        var browser = await _app.LoggedInAsync("admin");
        var gets = AppEndpoints.All(_app.Services).Where(e => !e.IsApi && e.Methods.Contains("GET") && !e.Pattern.Contains("_framework")).ToList();
        Assert.Contains(gets, e => e.Pattern == "/sessions.csv");
        Assert.Contains(gets, e => e.Pattern == "/traces/{TraceId}");
        var failures = await FuzzAsync(browser, gets);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    private async Task<List<string>> FuzzAsync(HttpClient client, IReadOnlyList<AppEndpoint> endpoints)
    {
        var names = ParameterNamesInSource();
        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var urls = new List<string>();
            // Real ids in the path, so the parameters reach the code that reads them rather than a 404.
            var path = endpoint.Pattern
                .Replace("{sessionId}", "q-session", StringComparison.OrdinalIgnoreCase)
                .Replace("{userId}", "q-user", StringComparison.OrdinalIgnoreCase)
                .Replace("{traceId}", "q-trace", StringComparison.OrdinalIgnoreCase);
            path = (endpoint with { Pattern = path }).Fill("q-x");
            foreach (var value in HostileValues.Concat(MoreHostileValues))
            {
                if (HostileValues.Contains(value))
                    urls.AddRange(names.Select(name => $"{path}?{name}={value}"));
                if (value.Length < 1000)
                    urls.Add($"{path}?{string.Join("&", names.Select(name => $"{name}={value}"))}");
                // A NUL in the path never reaches the app: Kestrel answers 400 and TestServer's client throws.
                if (endpoint.Pattern.Contains('{') && !value.Contains("%00"))
                    urls.Add(endpoint.Fill("PLACEHOLDER").Replace("PLACEHOLDER", value.Length > 0 ? value : "%20"));
            }
            urls.Add($"{path}?metadata.feature=chat&by=metadata.feature&group=metadata&key=feature&bucket=hour&from=2000-01-01T00:00:00Z&to=2026-12-31T00:00:00Z");
            urls.Add($"{path}?from=0001-01-01&to=9999-12-31&range=custom&bucket=hour");
            urls.Add($"{path}?limit=1&cursor=AAAA&prev=AAAA");
            foreach (var url in urls)
            {
                var response = await client.GetAsync(url);
                if ((int)response.StatusCode >= 500)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    failures.Add($"{(int)response.StatusCode} GET {url[..Math.Min(url.Length, 200)]}: {body[..Math.Min(300, body.Length)]}\n"
                        + $"server errors: {string.Join("\n", _app.Errors.Entries.TakeLast(3))}");
                }
            }
        }
        return failures;
    }

    [GeneratedRegex(@"[Qq]uery\[""([A-Za-z0-9_.]+)""\]")]
    private static partial Regex QueryIndexer();

    // Pages bind [SupplyParameterFromQuery(Name = "x")], API request records [FromQuery(Name = "x")]: one pattern covers both.
    [GeneratedRegex(@"FromQuery\(Name\s*=\s*""([^""]+)""\)")]
    private static partial Regex NamedQueryParameter();

    [GeneratedRegex(@"\[SupplyParameterFromQuery\]\s*(?:private|public|internal|protected)?\s*[\w<>?,\s]+?\s(\w+)\s*\{")]
    private static partial Regex UnnamedQueryParameter();
}
