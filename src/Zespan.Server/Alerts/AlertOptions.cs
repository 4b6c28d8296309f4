using Zespan.Core.Alerts;

namespace Zespan.Server.Alerts;

/// <summary>Runaway-guard settings, read from the environment like the server's other ZESPAN_* settings.</summary>
public sealed class AlertOptions
{
    /// <summary>
    /// ZESPAN_WEBHOOK_ALLOW_PRIVATE=true: allow webhook targets on loopback, private and link-local addresses. Off by
    /// default, so a project member cannot make the server call into its own network (SSRF).
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>ZESPAN_WEBHOOK_RETRY_BASE_MS: the first retry's delay; each next one doubles. Default 10 s.</summary>
    public RetrySchedule Retries { get; set; } = RetrySchedule.Default;

    /// <summary>How often each server looks for due deliveries when nothing woke it (a firing on this server wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take (connect, send, answer) before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed delivery stays with the server that claimed it; if that server dies, another takes it after this.</summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromSeconds(60);

    public static AlertOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new AlertOptions();
        if (configuration["ZESPAN_WEBHOOK_ALLOW_PRIVATE"] is { Length: > 0 } allow)
        {
            if (!bool.TryParse(allow, out var value))
                throw new InvalidOperationException($"ZESPAN_WEBHOOK_ALLOW_PRIVATE must be true or false; it is \"{allow}\".");
            options.AllowPrivateTargets = value;
        }
        if (configuration["ZESPAN_WEBHOOK_RETRY_BASE_MS"] is { Length: > 0 } retry)
        {
            if (!long.TryParse(retry, out var baseMs) || baseMs <= 0)
                throw new InvalidOperationException($"ZESPAN_WEBHOOK_RETRY_BASE_MS must be a positive whole number; it is \"{retry}\".");
            options.Retries = new RetrySchedule(baseMs);
        }
        return options;
    }
}
