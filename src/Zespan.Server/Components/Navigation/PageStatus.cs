namespace Zespan.Server.Components.Navigation;

/// <summary>Sets an error status on a page that renders its own message (404 unknown id, 400 bad filter).</summary>
public static class PageStatus
{
    public static void Set(HttpContext context, int statusCode)
    {
        // Applied as the headers go out: a 404 set during rendering makes Blazor SSR drop the page body, and the
        // status-code-pages middleware would swap the page's helpful message for a bare problem+json body.
        context.Response.OnStarting(() =>
        {
            context.Response.StatusCode = statusCode;
            return Task.CompletedTask;
        });
    }
}
