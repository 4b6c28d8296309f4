using Zespan.Core.Sessions.Transcripts;
using Zespan.Core.Spans;

namespace Zespan.Server.Api;

/// <summary>A tool call the model asked for; arguments as the model produced them (usually JSON text).</summary>
public sealed record ToolCallItem(string? Id, string Name, string? Arguments);

/// <summary>One message; role "raw" holds content that is not a list of messages, as stored.</summary>
public sealed record TranscriptMessageItem(string Role, string? Text, string Origin, IReadOnlyList<ToolCallItem> ToolCalls, string? ToolCallId, string? Name)
{
    public static TranscriptMessageItem From(TranscriptMessage m) => new(
        m.Role, m.Text, m.Origin == MessageOrigin.Input ? "input" : "output",
        m.ToolCalls.Select(c => new ToolCallItem(c.Id, c.Name, c.Arguments)).ToList(), m.ToolCallId, m.Name);
}

/// <summary>One LLM call: its timeline figures and the messages it added.</summary>
public sealed record TranscriptTurnItem(
    int Turn, TimelineItem Call, int RepeatedMessages, bool HistoryRewritten, bool ContentRecorded, IReadOnlyList<TranscriptMessageItem> Messages)
{
    public static TranscriptTurnItem From(TranscriptTurn t) => new(
        t.Number, TimelineItem.From(t.Call), t.RepeatedMessages, t.HistoryRewritten, t.ContentRecorded, t.Messages.Select(TranscriptMessageItem.From).ToList());
}

public sealed record TranscriptResponse(string SessionId, int MessageCount, int ToolCallCount, IReadOnlyList<TranscriptTurnItem> Turns)
{
    public static TranscriptResponse From(string sessionId, Transcript t) =>
        new(sessionId, t.MessageCount, t.ToolCallCount, t.Turns.Select(TranscriptTurnItem.From).ToList());
}

/// <summary>Tokens, calls and cost of one model in a session; costUsd null when none of its calls was priced.</summary>
public sealed record ModelUsageItem(string? Model, int Calls, long InputTokens, long OutputTokens, long TotalTokens, double? CostUsd, int UnpricedCalls)
{
    public static ModelUsageItem From(ModelUsage m) => new(m.Model, m.Calls, m.InputTokens, m.OutputTokens, m.TotalTokens, Money.PicoToUsd(m.CostPico), m.UnpricedCalls);
}

/// <summary>One session of a comparison.</summary>
public sealed record ComparedSessionItem(
    SessionDetailItem Session, IReadOnlyList<ModelUsageItem> TokensByModel, long LatencyP50Ms, long LatencyP95Ms, int ToolCalls,
    IReadOnlyList<double?> CumulativeCostUsd, TranscriptResponse Transcript)
{
    public static ComparedSessionItem From(ComparedSession c, long idleGapMs) => new(
        SessionDetailItem.From(c.Session, c.UnknownUsageCalls, idleGapMs), c.ByModel.Select(ModelUsageItem.From).ToList(), c.LatencyP50Ms, c.LatencyP95Ms, c.ToolCalls,
        c.CumulativeCostPico.Select(Money.PicoToUsd).ToList(), TranscriptResponse.From(c.Session.SessionId, c.Transcript));
}

/// <summary>The sessions in the order asked; turns align by index (turn n of each is at transcript.turns[n-1]).</summary>
public sealed record SessionCompareResponse(IReadOnlyList<ComparedSessionItem> Sessions, int MaxTurns);
