namespace Zespan.Server.Auth;

/// <summary>
/// Where a form may send the browser back to: a path of this site only. Browsers read "//host", "/\host" and schemes as
/// other origins, and drop tabs and newlines from URLs before reading them ("/\t/evil.example" becomes "//evil.example"),
/// so anything that is not a plain rooted path of printable characters is refused rather than cleaned.
/// </summary>
public static class ReturnUrls
{
    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url[0] != '/')
            return false;
        if (url.Length > 1 && url[1] is '/' or '\\')
            return false;
        foreach (var c in url)
        {
            if (c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c))
                return false;
        }
        return true;
    }
}
