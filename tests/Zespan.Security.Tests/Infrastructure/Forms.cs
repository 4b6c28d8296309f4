using System.Text.RegularExpressions;

namespace Zespan.Security.Tests.Infrastructure;

/// <summary>Submits forms the way a browser does: load the page, take its antiforgery token, post the fields.</summary>
public static partial class Forms
{
    public static async Task<string> AntiforgeryTokenAsync(HttpClient browser, string pagePath)
    {
        var html = await browser.GetStringAsync(pagePath);
        var match = TokenInput().Match(html);
        Assert.True(match.Success, $"{pagePath} renders no antiforgery token");
        return System.Net.WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string pagePath, string action, Dictionary<string, string> fields, bool withToken = true)
    {
        var body = new Dictionary<string, string>(fields);
        if (withToken)
            body["__RequestVerificationToken"] = await AntiforgeryTokenAsync(browser, pagePath);
        return await browser.PostAsync(action, new FormUrlEncodedContent(body));
    }

    /// <summary>Posts a Blazor form of a page (identified by its form name) back to the page.</summary>
    public static Task<HttpResponseMessage> PostBlazorFormAsync(HttpClient browser, string pagePath, string formName, Dictionary<string, string> fields, bool withToken = true) =>
        PostAsync(browser, pagePath, pagePath, new Dictionary<string, string>(fields) { ["_handler"] = formName }, withToken);

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
