using System.Text.Json.Nodes;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Transcripts;
using Zespan.Core.Spans;

namespace Zespan.Core.Tests.Sessions;

/// <summary>
/// A page of a transcript (the Conversation view's and the compare page's 100 turns) shows each turn exactly as the
/// whole transcript does, built from the payloads of the calls from <see cref="TranscriptBuilder.ContextStart"/> to the
/// page's end only: the rest of the session is given without prompts or completions, as the pages read it.
/// </summary>
public sealed class TranscriptPageTests
{
    /// <summary>
    /// A session mixing every history a caller sends: the whole conversation, a sliding window, an interleaved sub-agent
    /// thread, runs of calls recorded without a prompt (longer than the look-back), calls recorded without anything, raw
    /// prompts; tool calls asked now and then; idle gaps and calls starting at the same time.
    /// </summary>
    private static List<TimelineEntry> Session(int seed, int calls)
    {
        var random = new Random(seed);
        var main = new List<JsonNode> { new JsonObject { ["role"] = "system", ["content"] = "Be brief." } };
        var thread = new List<JsonNode> { new JsonObject { ["role"] = "system", ["content"] = "You are the researcher." } };
        var result = new List<TimelineEntry>(calls);
        long at = 0;
        var noPromptRun = 0;
        for (var i = 0; i < calls; i++)
        {
            at += random.Next(10) == 0 ? 0 : random.Next(8) == 0 ? 600_000 : 5_000;
            var sub = random.Next(6) == 0;
            var history = sub ? thread : main;
            history.Add(new JsonObject { ["role"] = "user", ["content"] = $"question {i} {random.Next(3)}" });
            JsonNode answer = random.Next(5) == 0
                ? new JsonObject
                {
                    ["role"] = "assistant", ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = $"call_{i}", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "lookup", ["arguments"] = "{}" } }),
                }
                : new JsonObject { ["role"] = "assistant", ["content"] = $"answer {i}" };
            if (noPromptRun == 0 && random.Next(25) == 0)
                noPromptRun = 12; // more than the look-back: the page must reach further back
            string? input, output = answer.ToJsonString();
            if (noPromptRun > 0)
            {
                noPromptRun--;
                input = null;
            }
            else
            {
                input = random.Next(4) switch
                {
                    0 when history.Count > 6 => new JsonArray([history[0].DeepClone(), .. history.TakeLast(5).Select(m => m.DeepClone())]).ToJsonString(),
                    1 when random.Next(10) == 0 => $"raw prompt {i}",
                    2 when random.Next(10) == 0 => null,
                    _ => new JsonArray([.. history.Select(m => m.DeepClone())]).ToJsonString(),
                };
                if (input is null && random.Next(2) == 0)
                    output = null;
            }
            history.Add(answer);
            result.Add(new TimelineEntry($"s{i:D4}", "t", "chat", "gpt-4o", at, at + 1_000, new TokenUsage(10, 5, 0, 0), 1_000, SpanStatus.Ok, null, input, output));
            at += 1_000;
        }
        return result;
    }

    /// <summary>The calls as a page reads them: payloads only from the replay's start to the page's end.</summary>
    private static List<TimelineEntry> AsPageReads(List<TimelineEntry> calls, int from, int count)
    {
        var start = TranscriptBuilder.ContextStart(calls, from);
        return calls.Select((c, i) => i >= start && i < from + count ? c : c with { InputJson = null, OutputJson = null }).ToList();
    }

    private static string Shape(TranscriptTurn t) =>
        $"{t.Number} {t.Call.SpanId} {t.RepeatedMessages} {t.HistoryRewritten} {t.ContentRecorded} {t.IdleGapBeforeMs} | "
        + string.Join(" | ", t.Messages.Select(m => $"{m.Origin} {m.Role}:{m.Text}:{string.Join(',', m.ToolCalls.Select(c => c.Id))}"));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryPage_ShowsItsTurnsAsTheWholeTranscriptDoes(int seed)
    {
        var calls = Session(seed, 400);
        var whole = TranscriptBuilder.Build(calls, idleGapMs: 300_000);
        Assert.Contains(whole.Turns, t => t.IdleGapBeforeMs is not null);
        Assert.Contains(whole.Turns, t => t.HistoryRewritten);
        var reachedFurther = false;
        foreach (var count in new[] { 1, 7, 100 })
        {
            for (var from = 0; from < calls.Count; from += count == 1 ? 1 : 13)
            {
                reachedFurther |= TranscriptBuilder.ContextStart(calls, from) < from - TranscriptBuilder.ThreadLookback;
                var page = TranscriptBuilder.Build(AsPageReads(calls, from, count), 300_000, from, count);
                Assert.Equal(whole.Turns.Skip(from).Take(count).Select(Shape), page.Turns.Select(Shape));
            }
        }
        Assert.True(reachedFurther, "no page needed calls before its look-back: the session does not test the rule");
    }

    [Fact]
    public void ToolCallsAsked_AreTheCompletionsToolCalls_WithoutAnyPrompt()
    {
        var calls = Session(4, 300);
        var expected = calls.Sum(c => c.OutputJson is { } o && JsonNode.Parse(o)!["tool_calls"] is JsonArray a ? a.Count : 0);
        Assert.True(expected > 10);
        Assert.Equal(expected, SessionComparison.ToolCallsAsked(calls.Select(c => c with { InputJson = null })));
    }
}
