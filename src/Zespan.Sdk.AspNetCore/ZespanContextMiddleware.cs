using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ZespanSdk.AspNetCore;

/// <summary>Opens a <see cref="Zespan.Context"/> for each request from its headers, or failing that its user's claims.</summary>
internal sealed class ZespanContextMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ZespanContextOptions _options;

    public ZespanContextMiddleware(RequestDelegate next, ZespanContextOptions options)
    {
        _next = next;
        _options = options;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        string? userId = Header(context, _options.UserIdHeader) ?? Claim(context, _options.UserIdClaimTypes);
        string? sessionId = Header(context, _options.SessionIdHeader) ?? Claim(context, _options.SessionIdClaimTypes);

        if (userId is null && sessionId is null)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        using (Zespan.Context(userId: userId, sessionId: sessionId))
        {
            await _next(context).ConfigureAwait(false);
        }
    }

    private static string? Header(HttpContext context, string? name)
    {
        if (name is null || !context.Request.Headers.TryGetValue(name, out StringValues values))
        {
            return null;
        }
        string? value = values.ToString().Trim();
        return value.Length == 0 ? null : value;
    }

    private static string? Claim(HttpContext context, IReadOnlyList<string> claimTypes)
    {
        ClaimsPrincipal user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        foreach (string type in claimTypes)
        {
            if (user.FindFirst(type)?.Value is { Length: > 0 } value)
            {
                return value;
            }
        }
        return null;
    }
}
