using System.Threading.RateLimiting;

namespace Zespan.Server.Auth;

/// <summary>
/// Counts failed logins per user name (case-insensitive) in a fixed window. While a name has no failures left,
/// its password is not even checked, so a correct guess made during the lock-out reveals nothing.
/// Successful logins do not count, so the owner is only locked out while someone is actively guessing.
/// </summary>
public sealed class LoginFailureLimiter(IConfiguration configuration)
{
    /// <summary>ZESPAN_LOGIN_FAILURES_PER_USER: failed logins per user name per 15 minutes. Default 10.</summary>
    public const string FailuresSetting = "ZESPAN_LOGIN_FAILURES_PER_USER";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(username =>
        RateLimitPartition.GetFixedWindowLimiter(username, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = LoginRateLimiting.Setting(configuration, FailuresSetting, 10), Window = Window, QueueLimit = 0,
        }));

    public bool IsLockedOut(string username) =>
        _failures.GetStatistics(Key(username)) is { CurrentAvailablePermits: <= 0 };

    public void RecordFailure(string username) => _failures.AttemptAcquire(Key(username)).Dispose();

    private static string Key(string username) => username.Trim().ToUpperInvariant();
}
