using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>
/// Takes a screenshot of every page from the seeded data set. They go to a temporary folder, so the test command leaves
/// the tree clean; ZESPAN_UPDATE_SCREENSHOTS=1 writes them into docs/screenshots (listed in docs/ui.md) instead.
/// </summary>
[Collection(SeededServerCollection.Name)]
public sealed class Screenshots(SeededServerFixture fixture)
{
    public static string Folder { get; } = Environment.GetEnvironmentVariable("ZESPAN_UPDATE_SCREENSHOTS") == "1"
        ? Path.GetFullPath(Path.Combine(ZespanServer.Metadata("RepositoryRoot"), "docs", "screenshots"))
        : Directory.CreateTempSubdirectory("zespan-screenshots-").FullName;

    [Fact]
    public async Task EveryPage_RendersAndIsCaptured()
    {
        Directory.CreateDirectory(Folder);
        var rich = fixture.Sessions.Where(s => s.UserId is not null && s.Errors > 0).MaxBy(s => s.Turns)!;
        var call = fixture.Spans.Where(s => s.IsLlm && s.SessionId == rich.SessionId).OrderBy(s => s.Start).Last();
        (string Name, string Url, string? Expand)[] pages =
        [
            ("sessions", "/sessions?sort=costUsd&order=desc", null),
            ("session-detail", $"/sessions/{rich.SessionId}", "[data-testid=timeline] summary"),
            ("user", $"/users/{rich.UserId}", null),
            ("traces", "/traces", null),
            ("trace-detail", $"/traces/{call.TraceId}?span={call.Id}", null),
            ("costs", "/costs?range=30d&group=tag", null),
        ];
        var page = await fixture.NewPageAsync();
        foreach (var (name, url, expand) in pages)
        {
            var response = await page.GotoAsync(url);
            Assert.Equal(200, response!.Status);
            if (expand is not null)
                await page.Locator(expand).First.ClickAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, name + ".png"), FullPage = true });
        }
    }
}
