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

    public static Transcript Build(IReadOnlyList<TimelineEntry> calls)
    {
        var turns = new List<TranscriptTurn>(calls.Count);
        // The conversation each recent call left behind (its input then its output), newest last.
        var recent = new List<IReadOnlyList<TranscriptMessage>>();
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            var input = call.InputJson is null ? null : MessageParser.Parse(call.InputJson, MessageOrigin.Input);
            var output = call.OutputJson is null ? (IReadOnlyList<TranscriptMessage>)[] : MessageParser.Parse(call.OutputJson, MessageOrigin.Output);
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
            turns.Add(new TranscriptTurn(i + 1, call, repeated, rewritten, call.InputJson is not null || call.OutputJson is not null, shown));

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
