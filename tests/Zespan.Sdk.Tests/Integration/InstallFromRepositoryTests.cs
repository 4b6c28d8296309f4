using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ZespanSdk.Tests.Fakes;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// docs/sdk-dotnet.md's install commands, taken from the doc and run as written (with a scratch folder as the home
/// directory, so <c>~</c> and the user-level NuGet source list are the test's own), then the guide's first sample,
/// also taken from the doc, compiled and run in a fresh console app that installed the package that way.
/// </summary>
[Trait("Category", "Install")]
public sealed partial class InstallFromRepositoryTests : IClassFixture<FakeServersFixture>, IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(15);
    private const string AppFolderComment = "# In your app's folder";
    private const string DocOpenAIClient = "new ChatClient(\"gpt-4o\", Environment.GetEnvironmentVariable(\"OPENAI_API_KEY\")!)";

    private readonly FakeServersFixture _servers;
    private readonly string _scratch = Directory.CreateTempSubdirectory("zespan-install-").FullName;

    public InstallFromRepositoryTests(FakeServersFixture servers) => _servers = servers;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task GuideInstall_ThenGuideSample_RecordsTheConversation_InAConsoleAppWithoutAspNetCore()
    {
        string repository = ZespanServerProcess.RepositoryRoot();
        string guide = await File.ReadAllTextAsync(Path.Combine(repository, "docs", "sdk-dotnet.md"));
        string[] commands = CodeBlock(guide[guide.IndexOf("## Install", StringComparison.Ordinal)..], "bash")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string sample = CodeBlock(guide, "csharp");

        string home = Directory.CreateDirectory(Path.Combine(_scratch, "home")).FullName;
        string app = Directory.CreateDirectory(Path.Combine(_scratch, "app")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), ConsoleProject);
        string realPackages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home, ["DOTNET_CLI_HOME"] = home, ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            // Packing restores the repository's projects: into the usual cache, as for any build of the repository.
            ["NUGET_PACKAGES"] = realPackages,
        };

        string folder = repository;
        Assert.Contains(AppFolderComment, commands);
        foreach (string command in commands)
        {
            if (command == AppFolderComment)
            {
                folder = app;
                // The app gets a cache of its own, so it installs the package just packed, never an older 0.1.0;
                // everything else comes from the usual cache.
                environment["NUGET_PACKAGES"] = Path.Combine(home, ".nuget", "packages");
                environment["NUGET_FALLBACK_PACKAGES"] = realPackages;
            }
            if (command.StartsWith('#'))
            {
                continue;
            }
            CommandLine.Outcome outcome = await CommandLine.RunAsync(command, folder, environment, CommandTimeout);
            Assert.True(outcome.ExitCode == 0, outcome.Output);
        }

        AssertPackageMetadata(Path.Combine(home, "zespan-packages"));

        Assert.Contains(DocOpenAIClient, sample);
        string program = "using System.ClientModel;\nusing OpenAI;\n"
            + sample.Replace(DocOpenAIClient, "new ChatClient(\"gpt-4o\", new ApiKeyCredential(\"sk-fake\"), new OpenAIClientOptions { Endpoint = new Uri(Environment.GetEnvironmentVariable(\"FAKE_OPENAI_ENDPOINT\")!) })", StringComparison.Ordinal)
            + "\nConsole.WriteLine(await HandleMessage(\"installed-user\", \"hello from an installed package\"));\nawait Zespan.ShutdownAsync();\nConsole.WriteLine(\"session=\" + sessionId);\n";
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        environment["ZESPAN_API_KEY"] = FakeIngestServer.ApiKey;
        environment["ZESPAN_BASE_URL"] = _servers.Ingest.BaseUrl.ToString();
        environment["FAKE_OPENAI_ENDPOINT"] = _servers.OpenAI.Endpoint.ToString();

        CommandLine.Outcome run = await CommandLine.RunAsync("dotnet run -c Release", app, environment, CommandTimeout);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Echo: hello from an installed package", run.Output);
        string session = SessionLine().Match(run.Output).Groups[1].Value;
        JsonObject span = Assert.Single(_servers.Ingest.Spans.Values, s => s["sessionId"]?.GetValue<string>() == session);
        Assert.Equal("installed-user", span["userId"]!.GetValue<string>());
        Assert.Equal("chat.completions.create", span["name"]!.GetValue<string>());
        Assert.True(span["usage"]!["inputTokens"]!.GetValue<long>() > 0);

        // A console app that uses Zespan.Sdk needs the .NET runtime only, not ASP.NET Core's.
        string runtimeConfig = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(app, "bin"), "App.runtimeconfig.json", SearchOption.AllDirectories).Single());
        Assert.Contains("Microsoft.NETCore.App", runtimeConfig);
        Assert.DoesNotContain("Microsoft.AspNetCore.App", runtimeConfig);
    }

    private static void AssertPackageMetadata(string packages)
    {
        Assert.True(File.Exists(Path.Combine(packages, "Zespan.Sdk.0.1.0.snupkg")), "symbols package missing");
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(packages, "Zespan.Sdk.0.1.0.nupkg"));
        Assert.NotNull(package.GetEntry("README.md"));
        Assert.NotNull(package.GetEntry("lib/net8.0/Zespan.Sdk.dll"));
        Assert.NotNull(package.GetEntry("lib/net10.0/Zespan.Sdk.dll"));
        using Stream nuspecStream = package.GetEntry("Zespan.Sdk.nuspec")!.Open();
        XElement metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.Equal("https://github.com/zespan/zespan", repository.Attribute("url")!.Value);
        Assert.Null(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "frameworkReferences"));
    }

    private static string CodeBlock(string markdown, string language)
    {
        Match block = Regex.Match(markdown, "```" + language + "\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, $"no {language} block");
        return block.Groups[1].Value;
    }

    [GeneratedRegex(@"session=(\S+)")]
    private static partial Regex SessionLine();

    private const string ConsoleProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
        </Project>
        """;
}
