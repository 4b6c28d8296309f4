using Zespan.Core.Projects;
using Zespan.Core.Spans;

namespace Zespan.Core.Ingestion;

/// <summary>
/// Refuses spans that start before the plan's retention window. Retention would delete them within the hour, so
/// accepting them would answer 200 for data that silently disappears; a per-item refusal says why instead.
/// Same boundary as the retention worker: a span is kept while its start time is at or after now minus the window.
/// </summary>
public static class RetentionWindowCheck
{
    /// <summary>Why this span is refused (it starts before the plan's window), or null when the plan keeps it.</summary>
    public static ItemError? Refusal(ParsedSpan parsed, Plan plan, DateTimeOffset now)
    {
        var cutoff = now - PlanRetention.Window(plan);
        return parsed.Span.StartMs >= cutoff.ToUnixTimeMilliseconds()
            ? null
            : new ItemError(parsed.Index, parsed.Span.Id, TooOldMessage(parsed.Span, plan, cutoff));
    }

    private static string TooOldMessage(SpanRecord span, Plan plan, DateTimeOffset cutoff) =>
        $"\"startTime\" ({Timestamps.Format(span.StartMs)}) is older than the {plan} plan keeps data " +
        $"({PlanRetention.Days(plan)} days, so nothing before {Timestamps.Format(cutoff.ToUnixTimeMilliseconds())}); " +
        "it would be deleted at once. Send a recent start time, or move the organisation to a plan with a longer window.";
}
