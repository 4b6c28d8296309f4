namespace Zespan.Core.Sessions.Transcripts;

/// <summary>
/// Builds a session's transcript from its calls in timeline order. Every call re-sends the conversation so far, so a
/// turn shows only what its input adds after the longest prefix already in the conversation (the previous call's input
/// and output, or, for interleaved threads, one of the few calls before it; for a sliding-window history, after its copy
/// of the conversation's last messages), then its output. Pure: the page and
/// GET /api/v1/sessions/{id}/transcript both call it.
/// </summary>
public static class TranscriptBuilder
{
    /// <summary>How many earlier calls a rewritten history is also compared with (interleaved sub-agents); bounds the work per turn.</summary>
    public const int ThreadLookback = 8;

    /// <param name="calls">The session's LLM calls in timeline order (start time, then span id).</param>
    /// <param name="idleGapMs">The project's idle gap threshold: turns that end an idle gap say so; null leaves them unmarked.</param>
    public static Transcript Build(IReadOnlyList<TimelineEntry> calls, long? idleGapMs = null) => Build(calls, idleGapMs, 0, calls.Count);

    /// <summary>
    /// Only the turns <paramref name="from"/> (0-based) to <paramref name="from"/> + <paramref name="count"/>, each exactly as
    /// the whole transcript shows it. The calls from <see cref="ContextStart"/> on replay the conversation those turns are
    /// compared with; the calls before it are read for their times only, so they need no payloads.
    /// </summary>
    public static Transcript Build(IReadOnlyList<TimelineEntry> calls, long? idleGapMs, int from, int count)
    {
        from = Math.Clamp(from, 0, calls.Count);
        var to = Math.Min(calls.Count, from + Math.Max(0, count));
        var turns = new List<TranscriptTurn>(to - from);
        // Idle gaps by the start of the call that ends them; the first call starting then carries the marker, as on the timeline.
        var gapsByEnd = idleGapMs is { } threshold
            ? SessionActivity.Gaps(calls.Select(c => (c.StartMs, c.EndMs)), threshold).ToDictionary(g => g.ToMs)
            : [];
        for (var i = 0; i < from; i++)
            gapsByEnd.Remove(calls[i].StartMs);
        // The conversation each recent call left behind (its input then its output), newest last.
        var recent = new List<IReadOnlyList<TranscriptMessage>>();
        for (var i = ContextStart(calls, from); i < to; i++)
        {
            var call = calls[i];
            var input = call.InputJson is null ? null : MessageParser.Parse(call.InputJson, MessageOrigin.Input);
            var output = call.OutputJson is null ? (IReadOnlyList<TranscriptMessage>)[] : MessageParser.Parse(call.OutputJson, MessageOrigin.Output);
            if (i >= from)
            {
                var shown = new List<TranscriptMessage>();
                var repeated = 0;
                var rewritten = false;
                if (input is not null)
                {
                    (repeated, rewritten) = Known(input, recent);
                    for (var m = repeated; m < input.Count; m++)
                        shown.Add(input[m]);
                }
                shown.AddRange(output);
                turns.Add(new TranscriptTurn(i + 1, call, repeated, rewritten, call.InputJson is not null || call.OutputJson is not null, shown)
                {
                    IdleGapBeforeMs = gapsByEnd.Remove(call.StartMs, out var gap) ? gap.DurationMs : null,
                });
            }

            // A call without a recorded prompt still answered: its output joins the conversation the next call re-sends.
            IReadOnlyList<TranscriptMessage> context = input is null
                ? [.. recent.Count > 0 ? recent[^1] : [], .. output]
                : [.. input, .. output];
            recent.Add(context);
            if (recent.Count > ThreadLookback)
                recent.RemoveAt(0);
        }
        return new Transcript(turns);
    }

    /// <summary>
    /// The first call whose payloads turn <paramref name="from"/> (0-based) on depend on: the <see cref="ThreadLookback"/>
    /// calls before it are compared with, and a call without a recorded prompt continues the conversation of the call
    /// before it, so the replay starts further back while its first call has none (never before the first call).
    /// It looks only at the calls it passes: a caller that loads payloads from the end backwards loads more while the
    /// answer lies before what it loaded (an unloaded call reads as one without a prompt).
    /// </summary>
    public static int ContextStart(IReadOnlyList<TimelineEntry> calls, int from)
    {
        var start = Math.Max(0, Math.Min(from, calls.Count) - ThreadLookback);
        while (start > 0 && calls[start].InputJson is null)
            start--;
        return start;
    }

    /// <summary>How many leading input messages are already in the conversation, and whether the input left part of it out.</summary>
    private static (int Repeated, bool Rewritten) Known(IReadOnlyList<TranscriptMessage> input, List<IReadOnlyList<TranscriptMessage>> recent)
    {
        if (recent.Count == 0 || input.Any(m => m.IsRaw))
            return (0, false);
        var best = (Repeated: 0, Rewritten: true);
        for (var r = recent.Count - 1; r >= 0; r--)
        {
            var context = recent[r];
            var common = CommonPrefix(input, context);
            if (common == context.Count)
                return (common, false);
            if (common > best.Repeated)
                best = (common, true);
        }
        // A sliding window (the system prompt and the last N messages) re-sends the end of the conversation, not its start.
        var window = WindowEnd(input, recent[^1]);
        return window > best.Repeated ? (window, true) : best;
    }

    /// <summary>
    /// The end of the input's copy of the conversation's last messages: the largest j such that input[..j] ends with the
    /// conversation's last message and, before the overlap, holds only system or developer messages; 0 when there is none.
    /// </summary>
    private static int WindowEnd(IReadOnlyList<TranscriptMessage> input, IReadOnlyList<TranscriptMessage> context)
    {
        if (context.Count == 0)
            return 0;
        for (var j = input.Count; j >= 1; j--)
        {
            var overlap = 0;
            while (overlap < j && overlap < context.Count && input[j - 1 - overlap].SameAs(context[context.Count - 1 - overlap]))
                overlap++;
            if (overlap == 0)
                continue;
            var start = j - overlap;
            var onlyInstructions = true;
            for (var k = 0; k < start && onlyInstructions; k++)
                onlyInstructions = input[k].Role is "system" or "developer";
            if (onlyInstructions)
                return j;
        }
        return 0;
    }

    private static int CommonPrefix(IReadOnlyList<TranscriptMessage> a, IReadOnlyList<TranscriptMessage> b)
    {
        var n = Math.Min(a.Count, b.Count);
        var i = 0;
        while (i < n && a[i].SameAs(b[i]))
            i++;
        return i;
    }
}
