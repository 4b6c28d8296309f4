using System.Text.RegularExpressions;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests;

/// <summary>
/// The web UI's empty state (GettingStarted.razor) tells a new user how to install and call the SDKs; it must say
/// what the guides say, which their own tests run. Compared as text, line by line, ignoring indentation.
/// </summary>
public sealed class EmptyStateAgreesWithTheGuidesTests
{
    private static readonly string Repository = ZespanServerProcess.RepositoryRoot();
    private static readonly string EmptyState = File.ReadAllText(Path.Combine(Repository, "src", "Zespan.Server", "Components", "Shared", "GettingStarted.razor"));

    private static string Guide(string name) => File.ReadAllText(Path.Combine(Repository, "docs", name));

    private static string[] Lines(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    private static string CodeBlock(string markdown, string language, string after = "")
    {
        Match block = Regex.Match(markdown[markdown.IndexOf(after, StringComparison.Ordinal)..], "```" + language + "\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, $"no {language} block after '{after}'");
        return block.Groups[1].Value;
    }

    private static string Constant(string name)
    {
        Match constant = Regex.Match(EmptyState, "private const string " + name + " = \"\"\"\n(.*?)\"\"\";", RegexOptions.Singleline);
        Assert.True(constant.Success, $"no {name} snippet in the empty state");
        return constant.Groups[1].Value;
    }

    [Fact]
    public void CSharpSnippet_IsTheDotNetGuidesFirstSample() =>
        Assert.Equal(Lines(CodeBlock(Guide("sdk-dotnet.md"), "csharp")), Lines(Constant("CSharp")));

    [Fact]
    public void PythonSnippet_IsThePythonGuidesQuickStart() =>
        Assert.Equal(Lines(CodeBlock(Guide("sdk-python.md"), "python", "## Quick start")), Lines(Constant("Python")));

    [Fact]
    public void InstallCommands_AreTheGuides()
    {
        string[] dotnet = Lines(CodeBlock(Guide("sdk-dotnet.md"), "bash", "## Install")).Where(l => !l.StartsWith('#')).ToArray();
        Assert.Equal(3, dotnet.Length);
        Assert.All(dotnet, command => Assert.Contains(command, EmptyState));
        string python = Assert.Single(Lines(CodeBlock(Guide("sdk-python.md"), "bash", "## Install")));
        Assert.Contains(python + " openai", EmptyState);
        string typeScript = Assert.Single(Lines(CodeBlock(Guide("sdk-js.md"), "sh", "## Install")));
        Assert.Contains(typeScript, EmptyState);
    }
}
