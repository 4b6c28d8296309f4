namespace Zespan.Core.Sessions.Transcripts;

/// <summary>
/// A session as a conversation: one turn per LLM call, in the timeline's order, each holding only the messages that call
/// added to the conversation (what it sent that earlier turns had not shown, then what it answered).
/// </summary>
public sealed record Transcript(IReadOnlyList<TranscriptTurn> Turns)
{
    public int MessageCount => Turns.Sum(t => t.Messages.Count);

    /// <summary>Tool calls the model asked for, counted once each (a re-sent assistant message is not shown again).</summary>
    public int ToolCallCount => Turns.Sum(t => t.Messages.Sum(m => m.ToolCalls.Count));
}

/// <summary>One LLM call of the transcript.</summary>
/// <param name="Number">1-based position in the session.</param>
/// <param name="Call">The call's figures (model, latency, tokens, cost, status), as in the timeline.</param>
/// <param name="RepeatedMessages">Messages at the start of this call's input already shown by an earlier turn, not shown again.</param>
/// <param name="HistoryRewritten">
/// True when the input does not begin with the whole conversation so far: earlier messages were dropped (a sliding
/// window: then only what follows the re-sent window is new), edited or summarised, or the call belongs to another
/// thread (a sub-agent with its own system prompt). Its new messages are shown from the first one that differs.
/// </param>
/// <param name="ContentRecorded">False when the call was sent without a prompt or completion (content capture off).</param>
public sealed record TranscriptTurn(
    int Number,
    TimelineEntry Call,
    int RepeatedMessages,
    bool HistoryRewritten,
    bool ContentRecorded,
    IReadOnlyList<TranscriptMessage> Messages);

/// <summary>Whether a message was part of the call's prompt or of its completion.</summary>
public enum MessageOrigin { Input = 0, Output = 1 }

/// <summary>
/// One message, normalised from whichever form stored it (OpenAI Chat, OpenAI Responses, GenAI or OpenInference
/// messages). Role is as sent (system, developer, user, assistant, tool, ...); "raw" marks content that is not a list of
/// messages, shown as stored.
/// </summary>
public sealed record TranscriptMessage(
    string Role,
    string? Text,
    IReadOnlyList<TranscriptToolCall> ToolCalls,
    string? ToolCallId,
    string? Name,
    MessageOrigin Origin)
{
    public const string RawRole = "raw";

    public bool IsRaw => Role == RawRole;

    /// <summary>Same message whichever call sent it: role, text, tool calls and tool call id (not the origin, not extra fields).</summary>
    public bool SameAs(TranscriptMessage other)
    {
        if (Role != other.Role || Text != other.Text || ToolCallId != other.ToolCallId || Name != other.Name || ToolCalls.Count != other.ToolCalls.Count)
            return false;
        for (var i = 0; i < ToolCalls.Count; i++)
        {
            if (ToolCalls[i] != other.ToolCalls[i])
                return false;
        }
        return true;
    }
}

/// <summary>A function/tool call requested by the model; Arguments is the text the model produced (usually JSON).</summary>
public sealed record TranscriptToolCall(string? Id, string Name, string? Arguments);
