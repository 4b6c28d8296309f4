using System.Net;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>
/// Settings forms with values the browser's number inputs would not send: the answer is a 400 that names the field,
/// nothing is saved, and never a 5xx (each case below was a 500, or a "Saved" that dropped what was typed).
/// </summary>
public sealed class HostileFormTests : IAsyncLifetime
{
    private ZespanApp _app = default!;

    public async Task InitializeAsync() => _app = await new ZespanApp().StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775808")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("1e309")]
    public async Task IdleGap_FarOutOfRange_Is400WithTheRange(string minutes)
    {
        var admin = await _app.LoggedInAsync("admin");
        var response = await Forms.PostBlazorFormAsync(admin, "/settings/sessions", "idle-gap", new() { ["IdleGapMinutes"] = minutes });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Give the threshold in minutes", await response.Content.ReadAsStringAsync());
        Assert.Empty(_app.Errors.Entries);
    }

    [Fact]
    public async Task KeyName_WithAControlCharacter_Is400AndNoKeyIsMade()
    {
        var admin = await _app.LoggedInAsync("admin");
        var response = await Forms.PostBlazorFormAsync(admin, "/settings", "create-key", new() { ["NewKeyName"] = "bell\u0007key" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must not contain control characters", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Cached", "NaN", "The cached input price")]
    [InlineData("Cached", "1e309", "The cached input price")]
    [InlineData("CacheWrite", "<script>alert(1)</script>", "The cache write price")]
    [InlineData("CacheWrite", "Infinity", "The cache write price")]
    public async Task OptionalPrice_ThatIsNoNumber_Is400AndNothingIsSaved(string field, string value, string named)
    {
        var admin = await _app.LoggedInAsync("admin");
        var fields = new Dictionary<string, string> { ["Model"] = "typed-model", ["Input"] = "1", ["Output"] = "2", [field] = value };
        var response = await Forms.PostBlazorFormAsync(admin, "/settings/prices", "set-price", fields);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named + " must be a number", await response.Content.ReadAsStringAsync());
        var prices = await _app.ApiClient(ZespanApp.KeyA).GetStringAsync("/api/v1/prices");
        Assert.DoesNotContain("typed-model", prices);
    }
}
