using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>A user changes their own password in the browser; its own server, since the admin's password changes.</summary>
public sealed class ChangePasswordTests
{
    [Fact]
    public async Task ChangingThePassword_NeedsTheCurrentOne_KeepsThisLogin_AndEndsOlderOnes()
    {
        await using var server = await ZespanServer.StartAsync();
        await using var browser = await BrowserSession.LogInAsync(server);
        var page = await browser.NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/sessions");
        await page.ClickAsync("header a.user");
        Assert.EndsWith("/settings/password", page.Url);

        async Task SubmitAsync(string current, string next, string again, string outcome)
        {
            await page.FillAsync("input[name=currentPassword]", current);
            await page.FillAsync("input[name=newPassword]", next);
            await page.FillAsync("input[name=confirmPassword]", again);
            await page.ClickAsync("form.stacked-form button[type=submit]");
            await page.WaitForURLAsync("**/settings/password?outcome=" + outcome);
        }

        await SubmitAsync("not-the-password", "a-brand-new-password", "a-brand-new-password", "wrong");
        Assert.Contains("current password is not right", await page.InnerTextAsync("[role=alert]"));
        await SubmitAsync(ZespanServer.AdminPassword, "a-brand-new-password", "a-different-password", "mismatch");
        Assert.Contains("two new passwords differ", await page.InnerTextAsync("[role=alert]"));
        await SubmitAsync(ZespanServer.AdminPassword, "a-brand-new-password", "a-brand-new-password", "changed");
        Assert.Contains("Your password is changed", await page.InnerTextAsync("[role=status]"));

        // This browser stays logged in; a login made with the old password (the session's saved cookie) is over.
        Assert.Equal(200, (await page.GotoAsync("/settings"))!.Status);
        Assert.DoesNotContain("/login", page.Url);
        var older = await browser.NewPageAsync(server.BaseUrl);
        await older.GotoAsync("/sessions");
        Assert.Contains("/login", older.Url);

        var fresh = await browser.NewPageAsync(server.BaseUrl, loggedIn: false);
        await fresh.GotoAsync("/login");
        await fresh.FillAsync("input[name=username]", "admin");
        await fresh.FillAsync("input[name=password]", ZespanServer.AdminPassword);
        await fresh.ClickAsync("button[type=submit]");
        await fresh.WaitForURLAsync("**/login?failed=1**");
        await fresh.FillAsync("input[name=username]", "admin");
        await fresh.FillAsync("input[name=password]", "a-brand-new-password");
        await fresh.ClickAsync("button[type=submit]");
        await fresh.WaitForURLAsync("**/sessions**");
    }
}
