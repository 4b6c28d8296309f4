using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Transcripts;
using Zespan.Core.Storage;

namespace Zespan.Server.Sessions;

/// <summary>
/// Pages of a long transcript (the Conversation view, the compare page): the turns shown are built from the prompts of
/// the calls they need only, so a page of a 10,000-turn session costs what a page of a 100-turn one does. The figures
/// still cover the whole session: they come from the calls' rows (and, for tool calls, their completions), never from
/// the page.
/// </summary>
public static class TranscriptPages
{
    public const int TurnsPerPage = 100;

    /// <summary>
    /// The first turn (0-based) of the page holding 1-based <paramref name="turn"/> (the <c>turn=</c> query value; the
    /// first page when absent or not a number). A turn past the end shows the last page rather than an empty one.
    /// </summary>
    public static int PageStart(string? turn, int turns)
    {
        var wanted = Math.Clamp((int.TryParse(turn, out var from) ? from : 1) - 1, 0, Math.Max(0, turns - 1));
        return wanted / TurnsPerPage * TurnsPerPage;
    }

    /// <summary>
    /// The session's calls with the payloads turns <paramref name="from"/> to <paramref name="to"/> (0-based, end
    /// excluded) are built from: the prompts and completions from <see cref="TranscriptBuilder.ContextStart"/> on, and,
    /// with <paramref name="allCompletions"/>, every call's completion. Other calls keep null payloads.
    /// </summary>
    public static async Task<SessionDetail> LoadAsync(ISessionReader reader, long projectId, SessionDetail detail, int from, int to,
        bool allCompletions, CancellationToken cancellationToken)
    {
        var calls = detail.Timeline.ToArray();
        from = Math.Clamp(from, 0, calls.Length);
        to = Math.Clamp(to, from, calls.Length);
        if (allCompletions)
        {
            var completions = await reader.GetPayloadsAsync(projectId, detail.Session.SessionId, null, withInputs: false, cancellationToken);
            for (var i = 0; i < calls.Length; i++)
                calls[i] = calls[i] with { OutputJson = completions.GetValueOrDefault(calls[i].SpanId)?.OutputJson };
        }
        // Load backwards from the page's end until the replay's start lies within what is loaded: usually one read of
        // the page and the look-back before it; further back only across calls recorded without a prompt.
        var loadedFrom = to;
        var want = from == to ? to : Math.Max(0, from - TranscriptBuilder.ThreadLookback);
        while (want < loadedFrom)
        {
            var ids = calls[want..loadedFrom].Select(c => c.SpanId).ToList();
            var payloads = await reader.GetPayloadsAsync(projectId, detail.Session.SessionId, ids, withInputs: true, cancellationToken);
            for (var i = want; i < loadedFrom; i++)
            {
                var payload = payloads.GetValueOrDefault(calls[i].SpanId);
                calls[i] = calls[i] with { InputJson = payload?.InputJson, OutputJson = payload?.OutputJson };
            }
            loadedFrom = want;
            if (TranscriptBuilder.ContextStart(calls, from) >= loadedFrom)
                break;
            want = Math.Max(0, loadedFrom - 8 * TranscriptBuilder.ThreadLookback);
        }
        return detail with { Timeline = calls };
    }
}
