using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Zespan.Server.Auth;

/// <summary>
/// Slows password guessing on POST /account/login in two ways:
/// per client address, every attempt counts (ASP.NET Core's rate limiter middleware, policy <see cref="PolicyName"/>);
/// per user name, failed attempts count (<see cref="LoginFailureLimiter"/>), so guessing one account from many addresses is slowed too.
/// Both answer 429 with a Retry-After and a message that says what happened.
/// </summary>
public static class LoginRateLimiting
{
    public const string PolicyName = "login";

    /// <summary>ZESPAN_LOGIN_ATTEMPTS_PER_MINUTE: login attempts one client address may make per minute. Default 20.</summary>
    public const string AttemptsPerMinuteSetting = "ZESPAN_LOGIN_ATTEMPTS_PER_MINUTE";

    public static IServiceCollection AddLoginRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<LoginFailureLimiter>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(PolicyName, context =>
            {
                var perMinute = Setting(context.RequestServices.GetRequiredService<IConfiguration>(), AttemptsPerMinuteSetting, 20);
                var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
                });
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                await TooManyAttempts(retryAfter, "Too many login attempts from your address.").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    /// <summary>The 429 answer of both limits.</summary>
    public static IResult TooManyAttempts(TimeSpan retryAfter, string what)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return new RetryAfterResult(seconds, Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many login attempts",
            detail: $"{what} Wait {seconds} seconds and try again."));
    }

    internal static int Setting(IConfiguration configuration, string key, int fallback) =>
        int.TryParse(configuration[key], out var value) && value > 0 ? value : fallback;

    private sealed class RetryAfterResult(int seconds, IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
