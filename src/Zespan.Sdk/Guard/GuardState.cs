namespace ZespanSdk.Guard;

/// <summary>A guard rule the session (or its user, within the current window) crossed.</summary>
/// <param name="Kind">session_cost, session_turns, user_cost or session_anomalous.</param>
/// <param name="Subject">"session", or "user" for a user-cost rule crossed by the session's user.</param>
/// <param name="Figure">The figure that crossed, e.g. "$5.20" or "201 turns".</param>
public sealed record CrossedRule(long RuleId, string RuleName, string Kind, string Subject, string Figure, string FiredAt, string? Window);

/// <summary>
/// A session's guard state (GET /api/v1/sessions/{id}/guard). <see cref="Stop"/> is true when the session crossed any of
/// the project's rules: the application should stop the agent. <see cref="Error"/> is set when the state could not be
/// read; <see cref="Stop"/> is then false, so an application that prefers to stop when unsure checks it.
/// </summary>
public sealed record GuardState(string SessionId, string? UserId, bool Stop, IReadOnlyList<CrossedRule> Crossed, string? Error = null)
{
    internal static GuardState Open(string sessionId, string? error = null) => new(sessionId, null, false, [], error);
}
