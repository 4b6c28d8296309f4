using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using Zespan.Core.Alerts;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Server.Api;
using Zespan.Server.Auth;

namespace Zespan.Server.Alerts;

/// <summary>The runaway guard's API: rules, their deliveries, and a session's guard state (docs/alerts.md).</summary>
public static class AlertsEndpoints
{
    public const int MaxRulesPerProject = 100;
    public const int MaxNameLength = 200;
    private const decimal MaxThresholdUsd = 9_000_000m; // a picodollar figure of one session fits in 64 bits up to $9.2M

    public static void MapAlertsEndpoints(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapPost("/rules", CreateRuleAsync).WithName("CreateAlertRule").WithSummary("Create a guard rule")
            .WithDescription("Creates a per-project rule whose crossing POSTs a signed event to webhookUrl. The answer holds the signing secret, shown this once.")
            .Accepts<AlertRuleRequest>("application/json")
            .Produces<CreatedAlertRule>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        alerts.MapGet("/rules", ListRulesAsync).WithName("ListAlertRules").WithSummary("The project's guard rules")
            .WithDescription("Every rule of the project, oldest first, without secrets.")
            .Produces<AlertRuleListResponse>();
        alerts.MapDelete("/rules/{ruleId}", DeleteRuleAsync).WithName("DeleteAlertRule").WithSummary("Delete a guard rule")
            .WithDescription("Deletes the rule with its firings and deliveries; pending deliveries are not sent.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        alerts.MapGet("/deliveries", ListDeliveriesAsync).WithName("ListAlertDeliveries").WithSummary("Webhook deliveries and their answers")
            .WithDescription("Deliveries newest first, each with its state (pending, delivered, failed) and every attempt: time, HTTP status or error, duration.")
            .Produces<DeliveryListResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/sessions/{sessionId}/guard", GuardAsync).WithTags("Alerts").WithName("GetSessionGuard").WithSummary("A session's guard state")
            .WithDescription("The rules the session crossed (and user-cost rules its user crossed in the current window); stop is true when any did.")
            .Produces<GuardStateResponse>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static async Task<IResult> CreateRuleAsync(AlertRuleRequest? request, HttpContext context, IAlertStore alerts, WebhookTargets targets, IServiceProvider services)
    {
        if (request is null)
            return Refusal("body", "Send a JSON rule, e.g. {\"kind\":\"session_cost\",\"thresholdUsd\":5,\"webhookUrl\":\"https://example.com/hook\"}.");
        var projectId = context.User.ProjectId();
        var (rule, field, problem) = await ValidateAsync(request, projectId, targets, services.GetService<ISessionAnomalySource>() is not null, context.RequestAborted);
        if (problem is not null)
            return Refusal(field!, problem);
        if ((await alerts.ListRulesAsync(projectId, context.RequestAborted)).Count >= MaxRulesPerProject)
            return Refusal("kind", $"A project has at most {MaxRulesPerProject} rules; delete one first (DELETE /api/v1/alerts/rules/{{id}}).");
        var created = await alerts.CreateRuleAsync(rule!, context.RequestAborted);
        return TypedResults.Created($"/api/v1/alerts/rules/{created.Id}", new CreatedAlertRule(AlertRuleItem.From(created), rule!.Secret));
    }

    /// <summary>The rule to create, or the field at fault and how to fix it. Shared with the settings page.</summary>
    public static async Task<(NewAlertRule? Rule, string? Field, string? Problem)> ValidateAsync(AlertRuleRequest request, long projectId, WebhookTargets targets,
        bool anomaliesAvailable, CancellationToken cancellationToken)
    {
        if (!AlertKinds.TryParse(request.Kind, out var kind))
            return (null, "kind", $"kind must be one of {string.Join(", ", AlertKinds.All)}; it is \"{request.Kind}\".");
        if (kind == AlertKind.SessionAnomalous && !anomaliesAvailable)
            return (null, "kind", "kind session_anomalous needs the anomaly detector, which this server does not have yet; use session_cost, session_turns or user_cost.");
        long? threshold = null;
        long? window = null;
        if (AlertKinds.IsCost(kind))
        {
            if (request.ThresholdUsd is not { } usd || usd <= 0 || usd > MaxThresholdUsd)
                return (null, "thresholdUsd", $"thresholdUsd must be a dollar amount above 0 and at most {MaxThresholdUsd:0}, e.g. 5 or 0.25.");
            threshold = Money.UsdToPico(usd);
        }
        if (kind == AlertKind.SessionTurns)
        {
            if (request.ThresholdTurns is not { } turns || turns < 1 || turns > int.MaxValue)
                return (null, "thresholdTurns", "thresholdTurns must be a whole number of turns of at least 1, e.g. 200.");
            threshold = turns;
        }
        if (kind == AlertKind.UserCost)
        {
            if (!AlertKinds.TryParseWindow(request.Window, out var windowMs))
                return (null, "window", $"window must be 24h or 30d for a user_cost rule; it is \"{request.Window}\".");
            window = windowMs;
        }
        var name = string.IsNullOrWhiteSpace(request.Name) ? DefaultName(kind, request) : request.Name.Trim();
        if (name.Length > MaxNameLength)
            return (null, "name", $"name must be at most {MaxNameLength} characters.");
        if (await targets.ProblemAsync(request.WebhookUrl, cancellationToken) is { } urlProblem)
            return (null, "webhookUrl", urlProblem);
        return (new NewAlertRule(projectId, name, kind, threshold, window, request.WebhookUrl!.Trim(), WebhookSignature.NewSecret()), null, null);
    }

    public static async Task<IResult> ListRulesAsync(HttpContext context, IAlertStore alerts)
    {
        var rules = await alerts.ListRulesAsync(context.User.ProjectId(), context.RequestAborted);
        return TypedResults.Ok(new AlertRuleListResponse(rules.Select(AlertRuleItem.From).ToList()));
    }

    public static async Task<IResult> DeleteRuleAsync([Description("The rule's id, as returned when it was created.")] string ruleId, HttpContext context, IAlertStore alerts)
    {
        if (!long.TryParse(ruleId, out var id))
            return Refusal("ruleId", $"ruleId must be a rule's numeric id; it is \"{ruleId}\".");
        if (!await alerts.DeleteRuleAsync(context.User.ProjectId(), id, context.RequestAborted))
            return ApiProblems.NotFound("Alert rule", ruleId);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> ListDeliveriesAsync(HttpContext context, IAlertStore alerts,
        [FromQuery, Description("Only deliveries of this rule (its numeric id).")] string? ruleId = null,
        [FromQuery, Description("How many deliveries, newest first: 1 to 500, default 100.")] string? limit = null)
    {
        long? rule = null;
        if (!string.IsNullOrEmpty(ruleId))
        {
            if (!long.TryParse(ruleId, out var parsed))
                return ApiProblems.BadParameter($"ruleId must be a rule's numeric id; it is \"{ruleId}\".");
            rule = parsed;
        }
        var count = 100;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out count) || count is < 1 or > 500))
            return ApiProblems.BadParameter($"limit must be a whole number from 1 to 500; it is \"{limit}\".");
        var deliveries = await alerts.ListDeliveriesAsync(context.User.ProjectId(), rule, count, context.RequestAborted);
        return TypedResults.Ok(new DeliveryListResponse(deliveries.Select(DeliveryItem.From).ToList()));
    }

    public static async Task<IResult> GuardAsync([Description("The session's id, as sent in its spans.")] string sessionId, HttpContext context,
        IAlertStore alerts, ISessionReader sessions, TimeProvider clock)
    {
        var projectId = context.User.ProjectId();
        var state = await GuardState.ReadAsync(projectId, sessionId, alerts, sessions, clock, context.RequestAborted);
        return state is null ? ApiProblems.NotFound("Session", sessionId) : TypedResults.Ok(state);
    }

    private static string DefaultName(AlertKind kind, AlertRuleRequest request) => kind switch
    {
        AlertKind.SessionCost => $"Session over ${request.ThresholdUsd}",
        AlertKind.SessionTurns => $"Session over {request.ThresholdTurns} turns",
        AlertKind.UserCost => $"User over ${request.ThresholdUsd} in {request.Window}",
        _ => "Session flagged anomalous",
    };

    private static IResult Refusal(string field, string detail) => Results.Problem(statusCode: StatusCodes.Status400BadRequest,
        title: $"Invalid alert rule: {field}", detail: detail, extensions: new Dictionary<string, object?> { ["field"] = field });
}
