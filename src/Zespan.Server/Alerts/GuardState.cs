using Zespan.Core.Alerts;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Server.Alerts;

/// <summary>
/// A session's guard state: every rule the session crossed, and every user-cost rule its user crossed within the window
/// that is still running. Read from the recorded firings, so it agrees with the webhooks that went out.
/// </summary>
public static class GuardState
{
    public static async Task<GuardStateResponse?> ReadAsync(long projectId, string sessionId, IAlertStore alerts, ISessionReader sessions,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var detail = await sessions.GetAsync(projectId, sessionId, withPayloads: false, cancellationToken);
        if (detail is null)
            return null;
        var userId = detail.Session.UserId;
        var rules = (await alerts.ListRulesAsync(projectId, cancellationToken)).ToDictionary(r => r.Id);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var crossed = new List<CrossedRule>();
        foreach (var firing in await alerts.FiringsForAsync(projectId, sessionId, userId, cancellationToken))
        {
            if (!rules.TryGetValue(firing.RuleId, out var rule))
                continue;
            var isUserFiring = firing.SubjectKey.StartsWith("user:", StringComparison.Ordinal);
            if (isUserFiring && (firing.UserId != userId || firing.FiredMs <= now - rule.WindowMs))
                continue; // another user's, or a window that has passed
            crossed.Add(new CrossedRule(rule.Id, rule.Name, AlertKinds.Name(rule.Kind), isUserFiring ? "user" : "session", firing.Figure,
                Timestamps.Format(firing.FiredMs), AlertKinds.WindowName(rule.WindowMs)));
        }
        return new GuardStateResponse(sessionId, userId, crossed.Count > 0, crossed);
    }
}
