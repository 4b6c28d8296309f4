using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Transcripts;
using Zespan.Core.Spans;

namespace Zespan.Core.Tests.Sessions;

/// <summary>
/// The transcript shows each message once however many calls re-sent it, in every stored form: OpenAI Chat and
/// Responses (what the SDKs send) and what OTLP mapping stores for GenAI and OpenInference spans; anything else raw.
/// </summary>
public sealed class TranscriptBuilderTests
{
    private static TimelineEntry Call(int n, string? input, string? output, long? costPico = 1_000, string model = "gpt-4o", long latency = 100) =>
        new($"s{n}", "t", "chat", model, n * 1_000, n * 1_000 + latency, new TokenUsage(10, 5, 0, 0), costPico, SpanStatus.Ok, null, input, output);

    private static string Texts(TranscriptTurn turn) => string.Join(" | ", turn.Messages.Select(m => $"{m.Role}:{m.Text}"));

    [Fact]
    public void Chat_EachTurnShowsWhatItAdded_EveryMessageOnce()
    {
        var calls = new[]
        {
            Call(1, """[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]""", """{"role":"assistant","content":"Hello!","refusal":null}"""),
            Call(2, """[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Order 42?"}]""",
                """{"role":"assistant","content":"Shipped."}"""),
            Call(3, """[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Order 42?"},{"role":"assistant","content":"Shipped."},{"role":"user","content":[{"type":"text","text":"When?"}]}]""",
                """{"role":"assistant","content":"Tomorrow."}"""),
        };

        var transcript = TranscriptBuilder.Build(calls);

        Assert.Equal(["system:Be brief. | user:Hi | assistant:Hello!", "user:Order 42? | assistant:Shipped.", "user:When? | assistant:Tomorrow."], transcript.Turns.Select(Texts));
        Assert.Equal([0, 3, 5], transcript.Turns.Select(t => t.RepeatedMessages));
        Assert.All(transcript.Turns, t => Assert.False(t.HistoryRewritten));
        Assert.Equal(7, transcript.MessageCount);
        Assert.Equal([MessageOrigin.Input, MessageOrigin.Output], transcript.Turns[1].Messages.Select(m => m.Origin));
        Assert.Same(calls[2], transcript.Turns[2].Call);
    }

    [Fact]
    public void ChatToolCalls_CallAndResultShownOnce_ResentAssistantWithExtraFieldsIsTheSame()
    {
        const string ask = """{"role":"user","content":"Weather in Paris?"}""";
        const string callMessage = """{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}""";
        var calls = new[]
        {
            Call(1, $"[{ask}]", callMessage.Replace("\"content\":null", "\"content\":null,\"refusal\":null,\"annotations\":[]")),
            Call(2, $"[{ask},{callMessage},{{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 C, sunny\"}}]", """{"role":"assistant","content":"Sunny, 18 C."}"""),
        };

        var transcript = TranscriptBuilder.Build(calls);

        var toolCall = Assert.Single(transcript.Turns[0].Messages[1].ToolCalls);
        Assert.Equal(new TranscriptToolCall("call_1", "get_weather", """{"city":"Paris"}"""), toolCall);
        Assert.Equal(2, transcript.Turns[1].RepeatedMessages);
        var result = transcript.Turns[1].Messages[0];
        Assert.Equal(("tool", "call_1", "18 C, sunny"), (result.Role, result.ToolCallId, result.Text));
        Assert.Equal(1, transcript.ToolCallCount);
    }

    [Fact]
    public void Responses_TextInputInstructionsItemsAndFunctionCalls()
    {
        var calls = new[]
        {
            Call(1, """{"instructions":"You are a shop assistant.","input":"Track order 42"}""",
                """[{"type":"reasoning","summary":[]},{"type":"function_call","call_id":"fc_1","name":"track","arguments":"{\"order\":42}"}]"""),
            Call(2, """{"instructions":"You are a shop assistant.","input":[{"role":"user","content":"Track order 42"},{"type":"function_call","call_id":"fc_1","name":"track","arguments":"{\"order\":42}"},{"type":"function_call_output","call_id":"fc_1","output":"in transit"}]}""",
                """[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"It is in transit."}]}]"""),
        };

        var transcript = TranscriptBuilder.Build(calls);

        Assert.Equal("system:You are a shop assistant. | user:Track order 42 | assistant:", Texts(transcript.Turns[0]));
        Assert.Equal("track", transcript.Turns[0].Messages[2].ToolCalls[0].Name);
        Assert.Equal("tool:in transit | assistant:It is in transit.", Texts(transcript.Turns[1]));
        Assert.Equal("fc_1", transcript.Turns[1].Messages[0].ToolCallId);
        Assert.Equal(3, transcript.Turns[1].RepeatedMessages);
    }

    [Fact]
    public void OtlpGenAiMessages_AsStoredByTheMapping_WithToolPartsAndFinishReason()
    {
        // OtlpContent stores GenAI messages as [{role, content}] with the system instructions first; content stays parts
        // when not every part is text (a tool call), and the output keeps finish_reason.
        var calls = new[]
        {
            Call(1, """[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Paris?"}]""",
                """[{"role":"assistant","content":[{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]"""),
            Call(2, """[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":[{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Paris"}}]},{"role":"tool","content":[{"type":"tool_call_response","id":"c1","response":"sunny"}]}]""",
                """[{"role":"assistant","content":"Sunny.","finish_reason":"stop"}]"""),
        };

        var transcript = TranscriptBuilder.Build(calls);

        Assert.Equal(new TranscriptToolCall("c1", "get_weather", """{"city":"Paris"}"""), transcript.Turns[0].Messages[2].ToolCalls.Single());
        Assert.Equal("tool:sunny | assistant:Sunny.", Texts(transcript.Turns[1]));
        Assert.Equal("c1", transcript.Turns[1].Messages[0].ToolCallId);
        Assert.Equal(1, transcript.ToolCallCount);
    }

    [Fact]
    public void OtlpOpenInferenceMessages_AsStoredByTheMapping()
    {
        var calls = new[]
        {
            Call(1, """[{"role":"system","content":"You help."},{"role":"user","content":"Hi there"}]""", """[{"role":"assistant","content":"Hello!"}]"""),
            Call(2, """[{"role":"system","content":"You help."},{"role":"user","content":"Hi there"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Bye"}]""", """[{"role":"assistant","content":"Bye!"}]"""),
        };

        var transcript = TranscriptBuilder.Build(calls);

        Assert.Equal(["system:You help. | user:Hi there | assistant:Hello!", "user:Bye | assistant:Bye!"], transcript.Turns.Select(Texts));
    }

    [Theory]
    [InlineData("this is not JSON {")]
    [InlineData("""{"query":"flights to Oslo","top_k":3}""")]
    [InlineData("42")]
    [InlineData("""[{"role":"user","content":"ok"},7]""")]
    public void Unparseable_ShownRawExactlyAsStored(string stored)
    {
        var transcript = TranscriptBuilder.Build([Call(1, stored, stored)]);

        var messages = transcript.Turns[0].Messages;
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.True(m.IsRaw));
        Assert.All(messages, m => Assert.Equal(stored, m.Text));
        Assert.Equal([MessageOrigin.Input, MessageOrigin.Output], messages.Select(m => m.Origin));
    }

    [Fact]
    public void PlainTextInputAndOutput_AreAUserAndAnAssistantMessage()
    {
        var transcript = TranscriptBuilder.Build([Call(1, "\"What is 2+2?\"", "\"4\"")]);
        Assert.Equal("user:What is 2+2? | assistant:4", Texts(transcript.Turns[0]));
    }

    [Fact]
    public void HistoryTrimmed_IsMarkedRewritten_AndShownFromWhereItDiffers()
    {
        var calls = new[]
        {
            Call(1, """[{"role":"system","content":"S"},{"role":"user","content":"u1"}]""", """{"role":"assistant","content":"a1"}"""),
            // The application summarised the history: the system prompt stays, the rest is replaced.
            Call(2, """[{"role":"system","content":"S"},{"role":"user","content":"Summary: u1/a1"},{"role":"user","content":"u2"}]""", """{"role":"assistant","content":"a2"}"""),
        };

        var turn = TranscriptBuilder.Build(calls).Turns[1];

        Assert.True(turn.HistoryRewritten);
        Assert.Equal(1, turn.RepeatedMessages);
        Assert.Equal("user:Summary: u1/a1 | user:u2 | assistant:a2", Texts(turn));
    }

    [Fact]
    public void SlidingWindowHistory_OnlyTheNewMessagesShown()
    {
        // The application keeps the system prompt and the last two messages: the start of the conversation is not re-sent.
        var calls = new[]
        {
            Call(1, """[{"role":"system","content":"S"},{"role":"user","content":"u1"}]""", """{"role":"assistant","content":"a1"}"""),
            Call(2, """[{"role":"system","content":"S"},{"role":"user","content":"u1"},{"role":"assistant","content":"a1"},{"role":"user","content":"u2"}]""", """{"role":"assistant","content":"a2"}"""),
            Call(3, """[{"role":"system","content":"S"},{"role":"user","content":"u2"},{"role":"assistant","content":"a2"},{"role":"user","content":"u3"}]""", """{"role":"assistant","content":"a3"}"""),
        };

        var turn = TranscriptBuilder.Build(calls).Turns[2];

        Assert.Equal("user:u3 | assistant:a3", Texts(turn));
        Assert.Equal(3, turn.RepeatedMessages);
        Assert.True(turn.HistoryRewritten);
    }

    [Fact]
    public void InterleavedThreads_EachTurnMatchedToItsOwnThread()
    {
        var calls = new[]
        {
            Call(1, """[{"role":"system","content":"Planner"},{"role":"user","content":"p1"}]""", """{"role":"assistant","content":"plan"}"""),
            Call(2, """[{"role":"system","content":"Coder"},{"role":"user","content":"c1"}]""", """{"role":"assistant","content":"code"}"""),
            Call(3, """[{"role":"system","content":"Planner"},{"role":"user","content":"p1"},{"role":"assistant","content":"plan"},{"role":"user","content":"p2"}]""", """{"role":"assistant","content":"plan 2"}"""),
            Call(4, """[{"role":"system","content":"Coder"},{"role":"user","content":"c1"},{"role":"assistant","content":"code"},{"role":"user","content":"c2"}]""", """{"role":"assistant","content":"code 2"}"""),
        };

        var transcript = TranscriptBuilder.Build(calls);

        Assert.Equal(["user:p2 | assistant:plan 2", "user:c2 | assistant:code 2"], transcript.Turns.Skip(2).Select(Texts));
        Assert.Equal([false, true, false, false], transcript.Turns.Select(t => t.HistoryRewritten));
    }

    [Fact]
    public void ContentNotRecorded_TurnWithoutMessages_NextTurnStillDeduped()
    {
        var calls = new[]
        {
            Call(1, """[{"role":"user","content":"u1"}]""", """{"role":"assistant","content":"a1"}"""),
            Call(2, null, null),
            Call(3, """[{"role":"user","content":"u1"},{"role":"assistant","content":"a1"},{"role":"user","content":"u3"}]""", null),
        };

        var transcript = TranscriptBuilder.Build(calls);

        Assert.False(transcript.Turns[1].ContentRecorded);
        Assert.Empty(transcript.Turns[1].Messages);
        Assert.Equal("user:u3", Texts(transcript.Turns[2]));
    }

    [Fact]
    public void Markup_IsKeptAsText_NotInterpreted()
    {
        var transcript = TranscriptBuilder.Build([Call(1, """[{"role":"user","content":"<script>alert(1)</script>"}]""", null)]);
        Assert.Equal("<script>alert(1)</script>", transcript.Turns[0].Messages[0].Text);
    }
}
