using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Admin_LogsIn_AndSeesSettings()
    {
        await using var app = await new ZespanApp().StartAsync();
        var browser = await app.LoggedInAsync("admin");
        var html = await browser.GetStringAsync("/settings");
        Assert.Contains("Default key", html);
        Assert.Contains("Free", html);
    }
}
