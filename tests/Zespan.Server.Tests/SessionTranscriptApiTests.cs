using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Zespan.Server.Tests.OtlpBodies;

namespace Zespan.Server.Tests;

/// <summary>
/// GET /api/v1/sessions/{id}/transcript over the real server and SQLite: what SDK spans (Chat, Responses) and OTLP spans
/// (GenAI, OpenInference) sent, each message once, with each call's figures recomputed from the spans sent.
/// </summary>
public sealed class SessionTranscriptApiTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private readonly HttpClient _client = app.ClientWithKey();

    private static string J(string s) => JsonSerializer.Serialize(s);

    private static double Gpt4oCost(long input, long output) => (input * 2.50 + output * 10.00) / 1e6;

    [Fact]
    public async Task SdkChatSession_EachMessageOnce_ToolCallsAndFiguresPerTurn()
    {
        var session = "tx-chat-" + Guid.NewGuid().ToString("N")[..8];
        const string system = """{"role":"system","content":"You are a shop assistant."}""";
        const string ask = """{"role":"user","content":"Where is order 42? <script>alert(1)</script>"}""";
        const string toolCall = """{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"track_order","arguments":"{\"order\":42}"}}]}""";
        const string toolResult = """{"role":"tool","tool_call_id":"call_1","content":"in transit"}""";
        const string answer = """{"role":"assistant","content":"It is in transit."}""";
        var sent = new[]
        {
            (Input: $"[{system},{ask}]", Output: toolCall, InTok: 120, OutTok: 20, Latency: 800),
            (Input: $"[{system},{ask},{toolCall},{toolResult}]", Output: answer, InTok: 180, OutTok: 12, Latency: 450),
        };
        var body = Api.Batch([.. sent.Select((c, i) => Api.Span($"{session}-{i}", sessionId: session, traceId: $"{session}-t{i}",
            start: $"2026-11-20T10:0{i}:00.000Z", end: $"2026-11-20T10:0{i}:00.{c.Latency:D3}Z", input: c.InTok, output: c.OutTok,
            extra: $"\"input\":{c.Input},\"output\":{c.Output}"))]);
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(body)).StatusCode);

        var transcript = await _client.GetJsonAsync($"/api/v1/sessions/{session}/transcript");

        Assert.Equal(session, (string)transcript["sessionId"]!);
        var turns = transcript["turns"]!.AsArray();
        Assert.Equal(2, turns.Count);
        Assert.Equal(["system", "user", "assistant"], Roles(turns[0]!));
        Assert.Equal(["tool", "assistant"], Roles(turns[1]!));
        Assert.Equal(3, (int)turns[1]!["repeatedMessages"]!);
        Assert.Equal("Where is order 42? <script>alert(1)</script>", (string)turns[0]!["messages"]![1]!["text"]!);
        var call = turns[0]!["messages"]![2]!["toolCalls"]![0]!;
        Assert.Equal(("call_1", "track_order", "{\"order\":42}"), ((string)call["id"]!, (string)call["name"]!, (string)call["arguments"]!));
        Assert.Equal("call_1", (string)turns[1]!["messages"]![0]!["toolCallId"]!);
        Assert.Equal(5, (int)transcript["messageCount"]!);
        Assert.Equal(1, (int)transcript["toolCallCount"]!);
        for (var i = 0; i < sent.Length; i++)
        {
            var figures = turns[i]!["call"]!;
            Assert.Equal(sent[i].Latency, (long)figures["latencyMs"]!);
            Assert.Equal(sent[i].InTok + sent[i].OutTok, (long)figures["totalTokens"]!);
            Assert.Equal(Gpt4oCost(sent[i].InTok, sent[i].OutTok), (double)figures["costUsd"]!, 12);
            Assert.Equal("gpt-4o", (string)figures["model"]!);
            Assert.Equal($"{session}-t{i}", (string)figures["traceId"]!);
        }
    }

    [Fact]
    public async Task SdkResponsesSession_InstructionsAndItems()
    {
        var session = "tx-resp-" + Guid.NewGuid().ToString("N")[..8];
        var body = Api.Batch(
            Api.Span($"{session}-0", sessionId: session, traceId: session, start: "2026-11-20T10:00:00.000Z", end: "2026-11-20T10:00:01.000Z",
                extra: """ "name":"responses.create","input":{"instructions":"Be terse.","input":"Capital of France?"},"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Paris."}]}] """),
            Api.Span($"{session}-1", sessionId: session, traceId: session, start: "2026-11-20T10:01:00.000Z", end: "2026-11-20T10:01:01.000Z",
                extra: """ "name":"responses.create","input":{"instructions":"Be terse.","input":[{"role":"user","content":"Capital of France?"},{"role":"assistant","content":"Paris."},{"role":"user","content":"Of Spain?"}]},"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Madrid."}]}] """));
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(body)).StatusCode);

        var turns = (await _client.GetJsonAsync($"/api/v1/sessions/{session}/transcript"))["turns"]!.AsArray();

        Assert.Equal(["Be terse.", "Capital of France?", "Paris."], Texts(turns[0]!));
        Assert.Equal(["Of Spain?", "Madrid."], Texts(turns[1]!));
    }

    [Fact]
    public async Task OtlpGenAiAndOpenInferenceSpans_ShownAsMessages()
    {
        var trace = NewTraceId();
        var session = "tx-otlp-" + trace[..8];
        var request = Traces([("service.name", "shop")],
            Span(trace, 1, null, "chat gpt-4o-mini", 0, 700,
                ("gen_ai.operation.name", "chat"), ("gen_ai.conversation.id", session), ("gen_ai.request.model", "gpt-4o-mini"),
                ("gen_ai.usage.input_tokens", 50L), ("gen_ai.usage.output_tokens", 5L),
                ("gen_ai.system_instructions", """[{"type":"text","content":"Be brief."}]"""),
                ("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]"""),
                ("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"Hello."}],"finish_reason":"stop"}]""")),
            Span(trace, 2, null, "ChatCompletion", 1_000, 1_400,
                ("openinference.span.kind", "LLM"), ("session.id", session), ("llm.model_name", "gpt-4o-mini"),
                ("llm.token_count.prompt", 80L), ("llm.token_count.completion", 6L),
                ("llm.input_messages.0.message.role", "system"), ("llm.input_messages.0.message.content", "Be brief."),
                ("llm.input_messages.1.message.role", "user"), ("llm.input_messages.1.message.content", "Hi"),
                ("llm.input_messages.2.message.role", "assistant"), ("llm.input_messages.2.message.content", "Hello."),
                ("llm.input_messages.3.message.role", "user"), ("llm.input_messages.3.message.content", "Bye"),
                ("llm.output_messages.0.message.role", "assistant"), ("llm.output_messages.0.message.content", "Goodbye.")));
        Assert.Null((await (await _client.PostAsync("/v1/traces", request)).TraceResponseAsync()).PartialSuccess);

        var turns = (await _client.GetJsonAsync($"/api/v1/sessions/{session}/transcript"))["turns"]!.AsArray();

        Assert.Equal(["Be brief.", "Hi", "Hello."], Texts(turns[0]!));
        Assert.Equal(["Bye", "Goodbye."], Texts(turns[1]!));
        Assert.Equal(3, (int)turns[1]!["repeatedMessages"]!);
        Assert.Equal(700, (long)turns[0]!["call"]!["latencyMs"]!);
    }

    [Fact]
    public async Task ContentThatIsNotMessages_ShownRaw_AndAnIdWithASlashWorks()
    {
        var session = "org/7/tx-raw-" + Guid.NewGuid().ToString("N")[..8];
        var body = Api.Batch(Api.Span($"raw-{Guid.NewGuid():N}", sessionId: session, traceId: "raw-trace",
            extra: """ "input":{"query":"flights to Oslo","top_k":3},"output":"plain answer" """));
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(body)).StatusCode);

        var transcript = await _client.GetJsonAsync($"/api/v1/sessions/{Uri.EscapeDataString(session)}/transcript");

        var messages = transcript["turns"]![0]!["messages"]!.AsArray();
        Assert.Equal("raw", (string)messages[0]!["role"]!);
        Assert.Equal("""{"query":"flights to Oslo","top_k":3}""", JsonNode.Parse((string)messages[0]!["text"]!)!.ToJsonString());
        Assert.Equal(("assistant", "plain answer", "output"), ((string)messages[1]!["role"]!, (string)messages[1]!["text"]!, (string)messages[1]!["origin"]!));
    }

    [Fact]
    public async Task UnknownSession_Is404ProblemNamingIt()
    {
        var response = await _client.GetAsync("/api/v1/sessions/no-such-session/transcript");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-such-session", await response.Content.ReadAsStringAsync());
    }

    private static List<string> Roles(JsonNode turn) => turn["messages"]!.AsArray().Select(m => (string)m!["role"]!).ToList();

    private static List<string?> Texts(JsonNode turn) => turn["messages"]!.AsArray().Select(m => (string?)m!["text"]).ToList();
}
