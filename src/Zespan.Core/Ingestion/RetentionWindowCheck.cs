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
    /// <summary>The batch with every span older than the window moved to the errors, each error at its item's index.</summary>
    public static ParsedBatch Apply(ParsedBatch batch, Plan plan, DateTimeOffset now)
    {
        var cutoff = now - PlanRetention.Window(plan);
        var cutoffMs = cutoff.ToUnixTimeMilliseconds();
        if (batch.BodyError is not null || batch.Spans.All(s => s.Span.StartMs >= cutoffMs))
            return batch;

        // Valid spans keep the order of the body: the n-th valid span is the n-th item that has no error.
        var rejectedIndexes = batch.Errors.Select(e => e.Index).ToHashSet();
        var itemIndexes = Enumerable.Range(0, batch.ItemCount).Where(i => !rejectedIndexes.Contains(i)).ToList();
        var kept = new List<ParsedSpan>(batch.Spans.Count);
        var errors = batch.Errors.ToList();
        for (var n = 0; n < batch.Spans.Count; n++)
        {
            var span = batch.Spans[n].Span;
            if (span.StartMs >= cutoffMs)
                kept.Add(batch.Spans[n]);
            else
                errors.Add(new ItemError(itemIndexes[n], span.Id, TooOldMessage(span, plan, cutoff)));
        }
        return batch with { Spans = kept, Errors = errors.OrderBy(e => e.Index).ToList() };
    }

    private static string TooOldMessage(SpanRecord span, Plan plan, DateTimeOffset cutoff) =>
        $"\"startTime\" ({Timestamps.Format(span.StartMs)}) is older than the {plan} plan keeps data " +
        $"({PlanRetention.Days(plan)} days, so nothing before {Timestamps.Format(cutoff.ToUnixTimeMilliseconds())}); " +
        "it would be deleted at once. Send a recent start time, or move the organisation to a plan with a longer window.";
}
