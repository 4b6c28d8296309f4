using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>
/// Deque's axe-core (npm, pinned in this project's package.json) run inside the page: WCAG 2 A/AA rules and axe's best
/// practices (labels, contrast, landmarks, headings). Installed with `npm ci` on first use when node_modules lacks it.
/// </summary>
public static class AxeCore
{
    private static readonly Lazy<string> Script = new(InstallOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The violations on the page as "rule: help (first elements)", empty when it passes.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Path = Script.Value });
        var json = await page.EvaluateAsync<string>("""
            async () => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } });
              return JSON.stringify(result.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') + ')'));
            }
            """);
        return JsonSerializer.Deserialize<string[]>(json)!;
    }

    private static string InstallOnce()
    {
        var folder = Path.Combine(ZespanServer.Metadata("RepositoryRoot"), "tests", "Zespan.Ui.Tests");
        var script = Path.Combine(folder, "node_modules", "axe-core", "axe.min.js");
        if (File.Exists(script))
            return script;
        var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"])
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var npm = Process.Start(start)!;
        var output = npm.StandardOutput.ReadToEndAsync();
        var error = npm.StandardError.ReadToEnd();
        npm.WaitForExit();
        if (npm.ExitCode != 0 || !File.Exists(script))
            throw new InvalidOperationException($"npm ci in {folder} failed ({npm.ExitCode}): {output.Result}{error}");
        return script;
    }
}
