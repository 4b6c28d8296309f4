using System.Text.Json.Nodes;

namespace Zespan.Reliability.Tests.Infrastructure;

/// <summary>A session's figures, recomputed from spans (sent by the test, or read back raw) to compare with what the server reports.</summary>
public sealed record SessionFigures(int Turns, long InputTokens, long OutputTokens, decimal CostUsd, int ErrorCount, string StartedAt, string EndedAt)
{
    public static SessionFigures FromSpans(IEnumerable<JsonNode> spans)
    {
        var list = spans.ToList();
        return new SessionFigures(
            list.Count,
            list.Sum(s => (long)s["usage"]!["inputTokens"]!),
            list.Sum(s => (long)s["usage"]!["outputTokens"]!),
            list.Sum(s => (decimal)s["costUsd"]!),
            list.Count(s => (string?)s["status"] == "error"),
            list.Min(s => (string)s["startTime"]!)!,
            list.Max(s => (string)s["endTime"]!)!);
    }

    /// <summary>From the timeline of GET /api/v1/sessions/{id}: one row per stored span, read from the raw spans.</summary>
    public static SessionFigures FromTimeline(JsonArray timeline) => new(
        timeline.Count,
        timeline.Sum(s => (long)s!["inputTokens"]!),
        timeline.Sum(s => (long)s!["outputTokens"]!),
        timeline.Sum(s => (decimal)s!["costUsd"]!),
        timeline.Count(s => (string?)s!["status"] == "error"),
        timeline.Min(s => (string)s!["startTime"]!)!,
        timeline.Max(s => (string)s!["endTime"]!)!);

    /// <summary>The maintained figures of a session (list item or detail).</summary>
    public static SessionFigures FromSummary(JsonNode session) => new(
        (int)session["turns"]!,
        (long)session["inputTokens"]!,
        (long)session["outputTokens"]!,
        (decimal)session["costUsd"]!,
        (int)session["errorCount"]!,
        (string)session["startedAt"]!,
        (string)session["endedAt"]!);
}
