using System.Net;
using System.Text.Json.Nodes;
using static Zespan.Server.Tests.OtlpBodies;

namespace Zespan.Server.Tests;

/// <summary>
/// One hand-built OTLP body per row of docs/otel.md's mapping table, posted to the real server over a real SQLite file and
/// read back through the session and trace API. Costs are recomputed by hand from the built-in prices (per 1M tokens):
/// gpt-4o-mini input 0.15, cached 0.075, output 0.60; gpt-4o input 2.50, cached 1.25, output 10.00.
/// </summary>
public sealed class OtlpMappingTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private readonly HttpClient _client = app.ClientWithKey();

    private static double MiniCost(long input, long cached, long output) => ((input - cached) * 0.15 + cached * 0.075 + output * 0.60) / 1e6;

    [Fact]
    public async Task GenAi_SessionUserModelTokensCostContent_FromSpanAndResource()
    {
        var trace = NewTraceId();
        var session = "genai-" + trace[..8];
        var request = Traces([("service.name", "shop"), ("user.id", "resource-user")],
            Span(trace, 1, null, "chat gpt-4o-mini", 0, 1_250,
                ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.conversation.id", session),
                ("gen_ai.request.model", "gpt-4o"), ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                ("gen_ai.usage.input_tokens", 1_000L), ("gen_ai.usage.cache_read.input_tokens", 200L),
                ("gen_ai.usage.output_tokens", 100L), ("gen_ai.usage.reasoning.output_tokens", 30L),
                ("gen_ai.system_instructions", """[{"type":"text","content":"Be brief."}]"""),
                ("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"Where is my order?"}]}]"""),
                ("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"On its way."}],"finish_reason":"stop"}]""")));
        var response = await (await _client.PostAsync("/v1/traces", request)).TraceResponseAsync();
        Assert.Null(response.PartialSuccess);

        var detail = await _client.GetJsonAsync($"/api/v1/sessions/{session}");
        var s = detail["session"]!;
        Assert.Equal(1, (int)s["turns"]!);
        Assert.Equal("resource-user", (string)s["userId"]!);
        Assert.Equal(1_000, (long)s["inputTokens"]!);
        Assert.Equal(100, (long)s["outputTokens"]!);
        Assert.Equal(MiniCost(1_000, 200, 100), (double)s["costUsd"]!, 12);
        Assert.Equal("ok", (string)s["status"]!);
        var turn = detail["timeline"]![0]!;
        Assert.Equal("gpt-4o-mini-2024-07-18", (string)turn["model"]!); // the response model wins over the request model
        Assert.Equal(200, (long)turn["cachedInputTokens"]!);
        Assert.Equal(30, (long)turn["reasoningTokens"]!);
        Assert.Equal(1_250, (long)turn["latencyMs"]!);

        var span = await SpanAsync(trace, 1);
        Assert.Equal("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Where is my order?"}]""", Text(span["input"]!));
        Assert.Equal("""[{"role":"assistant","content":"On its way.","finish_reason":"stop"}]""", Text(span["output"]!));
        Assert.Equal("openai", (string)span["provider"]!);
    }

    [Fact]
    public async Task OpenInference_Json_AttributeCostWinsAndMessagesFlattened()
    {
        var trace = NewTraceId();
        var session = "oi-" + trace[..8];
        var json = $$$"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"py"}}]},
              "scopeSpans":[{"scope":{"name":"openinference"},"spans":[
               {"traceId":"{{{trace}}}","spanId":"00000000000000a1","name":"ChatCompletion","kind":3,
                "startTimeUnixNano":"1795514400000000000","endTimeUnixNano":"1795514400500000000",
                "attributes":[
                 {"key":"openinference.span.kind","value":{"stringValue":"LLM"}},
                 {"key":"session.id","value":{"stringValue":"{{{session}}}"}},
                 {"key":"user.id","value":{"stringValue":"oi-user"}},
                 {"key":"llm.model_name","value":{"stringValue":"gpt-4o-mini"}},
                 {"key":"llm.token_count.prompt","value":{"intValue":"400"}},
                 {"key":"llm.token_count.prompt_details.cache_read","value":{"intValue":100}},
                 {"key":"llm.token_count.completion","value":{"intValue":"50"}},
                 {"key":"llm.cost.total","value":{"doubleValue":0.125}},
                 {"key":"llm.input_messages.0.message.role","value":{"stringValue":"system"}},
                 {"key":"llm.input_messages.0.message.content","value":{"stringValue":"You help."}},
                 {"key":"llm.input_messages.1.message.role","value":{"stringValue":"user"}},
                 {"key":"llm.input_messages.1.message.content","value":{"stringValue":"Hi there"}},
                 {"key":"llm.output_messages.0.message.role","value":{"stringValue":"assistant"}},
                 {"key":"llm.output_messages.0.message.content","value":{"stringValue":"Hello!"}},
                 {"key":"unknown.future.field","value":{"stringValue":"ignored"}}],
                "status":{"code":1},"futureField":42}]}]}]}
            """;
        var response = await _client.PostJsonAsync("/v1/traces", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("partialSuccess", await response.Content.ReadAsStringAsync());

        var s = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!;
        Assert.Equal(1, (int)s["turns"]!);
        Assert.Equal("oi-user", (string)s["userId"]!);
        Assert.Equal(400, (long)s["inputTokens"]!);
        Assert.Equal(50, (long)s["outputTokens"]!);
        Assert.Equal(0.125, (double)s["costUsd"]!, 12); // the sent cost, not the price table's
        var span = await SpanAsync(trace, 0xa1);
        Assert.Equal("client", (string)span["costSource"]!);
        Assert.Equal(500, (long)span["latencyMs"]!);
        Assert.Equal("""[{"role":"system","content":"You help."},{"role":"user","content":"Hi there"}]""", Text(span["input"]!));
        Assert.Equal("""[{"role":"assistant","content":"Hello!"}]""", Text(span["output"]!));
    }

    [Fact]
    public async Task OpenInference_MessageContentParts_AreTheMessagesText()
    {
        // OpenInference's Anthropic instrumentation sends every message's text as parts, never as message.content.
        var trace = NewTraceId();
        var request = Traces([],
            Span(trace, 1, null, "Messages", 0, 800, ("openinference.span.kind", "LLM"), ("session.id", "parts-" + trace[..8]),
                ("llm.model_name", "claude-sonnet-4-5"), ("llm.token_count.prompt", 20L), ("llm.token_count.completion", 5L),
                ("llm.input_messages.0.message.role", "user"),
                ("llm.input_messages.0.message.contents.1.message_content.type", "text"),
                ("llm.input_messages.0.message.contents.1.message_content.text", "and the second part"),
                ("llm.input_messages.0.message.contents.0.message_content.type", "text"),
                ("llm.input_messages.0.message.contents.0.message_content.text", "First part"),
                ("llm.input_messages.0.message.contents.2.message_content.type", "image"),
                ("llm.output_messages.0.message.role", "assistant"),
                ("llm.output_messages.0.message.contents.0.message_content.type", "text"),
                ("llm.output_messages.0.message.contents.0.message_content.text", "The answer."),
                ("output.value", """{"id":"msg_1","content":[{"type":"text","text":"The answer."}]}""")));
        Assert.Null((await (await _client.PostAsync("/v1/traces", request)).TraceResponseAsync()).PartialSuccess);

        var span = await SpanAsync(trace, 1);
        Assert.Equal("""[{"role":"user","content":"First part\nand the second part"}]""", Text(span["input"]!));
        Assert.Equal("""[{"role":"assistant","content":"The answer."}]""", Text(span["output"]!));
    }

    [Theory]
    [InlineData("gen_ai.usage.cost", """{"doubleValue":"NaN"}""")]
    [InlineData("gen_ai.usage.cost", """{"doubleValue":"-Infinity"}""")]
    [InlineData("llm.cost.total", """{"stringValue":"1e309"}""")]
    [InlineData("langfuse.observation.cost_details", """{"stringValue":"{\"total\":1e999}"}""")]
    public async Task ACostThatIsNoFiniteNumber_IsNoCost_TheCallIsPricedFromTheTable(string key, string value)
    {
        var trace = NewTraceId();
        var json = $$$"""
            {"resourceSpans":[{"scopeSpans":[{"spans":[
               {"traceId":"{{{trace}}}","spanId":"00000000000000c1","name":"chat gpt-4o","kind":3,
                "startTimeUnixNano":"1795514400000000000","endTimeUnixNano":"1795514400500000000",
                "attributes":[
                 {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                 {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
                 {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}},
                 {"key":"gen_ai.usage.output_tokens","value":{"intValue":"100"}},
                 {"key":"{{{key}}}","value":{{{value}}}}]}]}]}]}
            """;
        var response = await _client.PostJsonAsync("/v1/traces", json); // a 500 before
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("partialSuccess", await response.Content.ReadAsStringAsync());
        var span = await SpanAsync(trace, 0xc1);
        Assert.Equal("built-in-price", (string)span["costSource"]!);
        Assert.Equal((1000 * 2.50 + 100 * 10.00) / 1e6, (double)span["costUsd"]!, 12); // gpt-4o's table price
    }

    [Fact]
    public async Task Langfuse_BasicAuthOnItsPath_ObservationAttributes()
    {
        var trace = NewTraceId();
        var session = "lf-" + trace[..8];
        var request = Traces([],
            Span(trace, 1, null, "my-agent", 0, 3_000, ("langfuse.session.id", session), ("langfuse.user.id", "lf-user"), ("langfuse.observation.type", "span")),
            Span(trace, 2, 1, "generation", 100, 2_000,
                ("langfuse.observation.type", "generation"), ("langfuse.observation.model.name", "gpt-4o-mini"),
                ("langfuse.observation.usage_details", """{"input":300,"input_cached_tokens":100,"output":40}"""),
                ("langfuse.observation.cost_details", """{"input":0.001,"output":0.002}"""),
                ("langfuse.observation.input", """[{"role":"user","content":"Plan a trip"}]"""),
                ("langfuse.observation.output", "Go to Lisbon."),
                ("langfuse.observation.metadata.feature", "planner")));
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("pk-lf-anything:" + ZespanApp.ApiKey)));
        Assert.Null((await (await client.PostAsync("/api/public/otel/v1/traces", request)).TraceResponseAsync()).PartialSuccess);

        var detail = await _client.GetJsonAsync($"/api/v1/sessions/{session}");
        var s = detail["session"]!;
        Assert.Equal(1, (int)s["turns"]!); // the agent span is not a call
        Assert.Equal("lf-user", (string)s["userId"]!); // inherited from the parent span
        Assert.Equal(400, (long)s["inputTokens"]!); // usage_details counts input net of the cache: 300 + 100
        Assert.Equal(40, (long)s["outputTokens"]!);
        Assert.Equal(0.003, (double)s["costUsd"]!, 12);
        var span = await SpanAsync(trace, 2);
        Assert.Equal("""[{"role":"user","content":"Plan a trip"}]""", Text(span["input"]!));
        Assert.Equal("\"Go to Lisbon.\"", Text(span["output"]!));
        Assert.Equal("planner", (string)span["metadata"]!["feature"]!);

        var wrong = app.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("pk:sk-lf-not-a-zespan-key"u8.ToArray()));
        var refused = await wrong.PostAsync("/api/public/otel/v1/traces", request);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task VercelLegacy_OnlyDoGenerateIsACall_MetadataSessionAndUser()
    {
        var trace = NewTraceId();
        var session = "ai-" + trace[..8];
        var request = Traces([],
            Span(trace, 1, null, "ai.generateText", 0, 2_000, ("ai.operationId", "ai.generateText"), ("ai.model.id", "gpt-4o-mini"),
                ("ai.telemetry.metadata.sessionId", session), ("ai.telemetry.metadata.userId", "ai-user"),
                ("ai.usage.promptTokens", 120L), ("ai.usage.completionTokens", 30L), ("ai.response.text", "Paris")),
            Span(trace, 2, 1, "ai.generateText.doGenerate", 10, 1_900, ("ai.operationId", "ai.generateText.doGenerate"),
                ("ai.model.id", "gpt-4o-mini"), ("ai.model.provider", "openai.chat"), ("ai.response.model", "gpt-4o-mini"),
                ("ai.telemetry.metadata.sessionId", session), ("ai.telemetry.metadata.userId", "ai-user"), ("ai.telemetry.metadata.plan", "pro"),
                ("ai.usage.promptTokens", 120L), ("ai.usage.completionTokens", 30L),
                ("ai.prompt.messages", """[{"role":"user","content":[{"type":"text","text":"Capital of France?"}]}]"""),
                ("ai.response.text", "Paris")));
        Assert.Null((await (await _client.PostAsync("/v1/traces", request)).TraceResponseAsync()).PartialSuccess);

        var s = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!;
        Assert.Equal(1, (int)s["turns"]!);
        Assert.Equal("ai-user", (string)s["userId"]!);
        Assert.Equal(120, (long)s["inputTokens"]!);
        Assert.Equal(MiniCost(120, 0, 30), (double)s["costUsd"]!, 12);
        var span = await SpanAsync(trace, 2);
        Assert.Equal("\"Paris\"", Text(span["output"]!));
        Assert.Contains("Capital of France?", Text(span["input"]!));
        Assert.Equal("pro", (string)span["metadata"]!["plan"]!);
        Assert.Equal("span", (string)(await SpanAsync(trace, 1))["kind"]!);
    }

    /// <summary>
    /// One Claude call with 6,000 input tokens read from the prompt cache, 3,000 written to it and 1,000 neither, as each
    /// convention reports it: input as the total (semantic conventions, OpenInference, the AI SDK) or net of the cache
    /// (Anthropic's input_tokens through OpenLLMetry's older names; Langfuse's usage_details). Built-in Sonnet 4.5 ($/M:
    /// 3 input, 0.30 cache read, 3.75 cache write, 15 output): 1,000 × 3 + 6,000 × 0.30 + 3,000 × 3.75 + 200 × 15 = $0.01905.
    /// </summary>
    [Theory]
    [InlineData("semantic conventions")]
    [InlineData("OpenLLMetry, input net of the cache")]
    [InlineData("OpenInference")]
    [InlineData("AI SDK 6")]
    [InlineData("Langfuse usage_details")]
    public async Task CacheWrites_FromEachConvention_ArePricedAsCacheWrites(string convention)
    {
        var trace = NewTraceId();
        const string Model = "claude-sonnet-4-5-20250929";
        (string, object)[] attributes = convention switch
        {
            "semantic conventions" => [("gen_ai.operation.name", "chat"), ("gen_ai.request.model", Model), ("gen_ai.usage.input_tokens", 10_000L),
                ("gen_ai.usage.cache_read.input_tokens", 6_000L), ("gen_ai.usage.cache_creation.input_tokens", 3_000L), ("gen_ai.usage.output_tokens", 200L)],
            "OpenLLMetry, input net of the cache" => [("gen_ai.system", "Anthropic"), ("gen_ai.request.model", Model), ("gen_ai.usage.input_tokens", 1_000L),
                ("gen_ai.usage.cache_read_input_tokens", 6_000L), ("gen_ai.usage.cache_creation_input_tokens", 3_000L), ("gen_ai.usage.output_tokens", 200L)],
            "OpenInference" => [("openinference.span.kind", "LLM"), ("llm.model_name", Model), ("llm.token_count.prompt", 10_000L),
                ("llm.token_count.prompt_details.cache_read", 6_000L), ("llm.token_count.prompt_details.cache_write", 3_000L), ("llm.token_count.completion", 200L)],
            "AI SDK 6" => [("ai.operationId", "ai.generateText.doGenerate"), ("ai.model.id", Model), ("ai.usage.inputTokens", 10_000L),
                ("ai.usage.inputTokenDetails.cacheReadTokens", 6_000L), ("ai.usage.inputTokenDetails.cacheWriteTokens", 3_000L), ("ai.usage.outputTokens", 200L)],
            _ => [("langfuse.observation.type", "generation"), ("langfuse.observation.model.name", Model),
                ("langfuse.observation.usage_details", """{"input":1000,"input_cache_read":6000,"input_cache_creation":3000,"output":200}""")],
        };
        var request = Traces([], Span(trace, 1, null, "ai.generateText.doGenerate", 0, 1_000, [("session.id", "cw-" + trace[..8]), .. attributes]));
        Assert.Null((await (await _client.PostAsync("/v1/traces", request)).TraceResponseAsync()).PartialSuccess);

        var usage = (await SpanAsync(trace, 1))["usage"]!;
        Assert.Equal((10_000L, 6_000L, 3_000L, 200L),
            ((long)usage["inputTokens"]!, (long)usage["cachedInputTokens"]!, (long)usage["cacheCreationInputTokens"]!, (long)usage["outputTokens"]!));
        Assert.Equal(0.01905, (double)(await _client.GetJsonAsync($"/api/v1/sessions/cw-{trace[..8]}"))["session"]!["costUsd"]!, 12);
    }

    /// <summary>
    /// AI SDK 7 through @ai-sdk/otel: GenAI-convention spans (invoke_agent → step → chat), session and user only on the
    /// agent and step spans, as the runtime context the call was told to include (ai.settings.context.*).
    /// </summary>
    [Fact]
    public async Task Vercel7_TheChatIsTheCall_SessionAndUserFromTheRuntimeContextOfItsAgent()
    {
        var trace = NewTraceId();
        var session = "ai7-" + trace[..8];
        (string, object)[] context = [("ai.settings.context.sessionId", session), ("ai.settings.context.userId", "ai7-user"), ("ai.settings.context.plan", "pro")];
        var request = Traces([],
            Span(trace, 1, null, "invoke_agent gpt-4o-mini", 0, 2_000, [("gen_ai.operation.name", "invoke_agent"), ("gen_ai.provider.name", "openai"),
                ("gen_ai.request.model", "gpt-4o-mini"), ("gen_ai.usage.input_tokens", 120L), ("gen_ai.usage.output_tokens", 30L), .. context]),
            Span(trace, 2, 1, "step 1", 5, 1_950, [("gen_ai.operation.name", "agent_step"), .. context]),
            Span(trace, 3, 2, "chat gpt-4o-mini", 10, 1_900, ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"),
                ("gen_ai.request.model", "gpt-4o-mini"), ("gen_ai.response.model", "gpt-4o-mini"), ("gen_ai.usage.input_tokens", 120L),
                ("gen_ai.usage.output_tokens", 30L), ("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"Capital of France?"}]}]"""),
                ("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"Paris"}],"finish_reason":"stop"}]""")));
        Assert.Null((await (await _client.PostAsync("/v1/traces", request)).TraceResponseAsync()).PartialSuccess);

        var s = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!;
        Assert.Equal(1, (int)s["turns"]!); // the agent's own usage sums its calls: not a call
        Assert.Equal("ai7-user", (string)s["userId"]!);
        Assert.Equal(120, (long)s["inputTokens"]!);
        Assert.Equal(MiniCost(120, 0, 30), (double)s["costUsd"]!, 12);
        var call = await SpanAsync(trace, 3);
        Assert.Contains("Capital of France?", Text(call["input"]!));
        Assert.Contains("Paris", Text(call["output"]!));
        Assert.Equal("pro", (string)(await SpanAsync(trace, 1))["metadata"]!["plan"]!);
        Assert.Equal("span", (string)(await SpanAsync(trace, 1))["kind"]!);
    }

    [Fact]
    public async Task DeprecatedNamesAndPerMessageEvents_ErrorFromStatusAndException()
    {
        var trace = NewTraceId();
        var session = "old-" + trace[..8];
        var failed = Span(trace, 1, null, "chat gpt-4o-mini", 0, 800, ("gen_ai.operation.name", "chat"), ("gen_ai.system", "openai"),
            ("gen_ai.request.model", "gpt-4o-mini"), ("session.id", session), ("enduser.id", "end-user"),
            ("gen_ai.usage.prompt_tokens", 70L), ("gen_ai.usage.completion_tokens", 0L), ("error.type", "RateLimitError"));
        failed.Status = new() { Code = Zespan.Server.Otlp.Proto.Trace.Status.Types.StatusCode.Error, Message = "429 Too Many Requests" };
        failed.Events.Add(Event("gen_ai.user.message", ("content", "Hello?")));
        failed.Events.Add(Event("exception", ("exception.type", "RateLimitError"), ("exception.message", "429 Too Many Requests")));
        var ok = Span(trace, 2, null, "chat gpt-4o-mini", 1_000, 1_500, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"),
            ("session.id", session), ("gen_ai.usage.prompt_tokens", 70L), ("gen_ai.usage.completion_tokens", 5L));
        ok.Events.Add(Event("gen_ai.system.message", ("content", "Be kind.")));
        ok.Events.Add(Event("gen_ai.user.message", ("content", "Hello?")));
        ok.Events.Add(Event("gen_ai.choice", ("index", 0), ("finish_reason", "stop"), ("message", Map(("content", "Hi!")))));
        Assert.Null((await (await _client.PostAsync("/v1/traces", Traces([], failed, ok))).TraceResponseAsync()).PartialSuccess);

        var detail = await _client.GetJsonAsync($"/api/v1/sessions/{session}");
        var s = detail["session"]!;
        Assert.Equal(2, (int)s["turns"]!);
        Assert.Equal(1, (int)s["errorCount"]!);
        Assert.Equal("error", (string)s["status"]!);
        Assert.Equal("end-user", (string)s["userId"]!);
        Assert.Equal(140, (long)s["inputTokens"]!);
        Assert.Equal("RateLimitError: 429 Too Many Requests", (string)detail["timeline"]![0]!["error"]!);
        var span = await SpanAsync(trace, 2);
        Assert.Equal("""[{"role":"system","content":"Be kind."},{"role":"user","content":"Hello?"}]""", Text(span["input"]!));
        Assert.Equal("""[{"role":"assistant","content":"Hi!","finish_reason":"stop"}]""", Text(span["output"]!));
        Assert.Equal("openai", (string)(await SpanAsync(trace, 1))["provider"]!);
    }

    [Fact]
    public async Task DetailsEvent_CarriesTheMessages_UnknownModelIsUnpriced()
    {
        var trace = NewTraceId();
        var session = "det-" + trace[..8];
        var span = Span(trace, 1, null, "chat house-model", 0, 400, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "house-model-7b"),
            ("gen_ai.conversation.id", session), ("gen_ai.usage.input_tokens", 10L), ("gen_ai.usage.output_tokens", 2L));
        span.Events.Add(Event(Zespan.Server.Otlp.OtlpContent.DetailsEvent,
            ("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"ping"}]}]"""),
            ("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"pong"}]}]""")));
        Assert.Null((await (await _client.PostAsync("/v1/traces", Traces([], span))).TraceResponseAsync()).PartialSuccess);

        var s = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!;
        Assert.Null(s["costUsd"]);
        Assert.Equal(1, (int)s["unpricedCalls"]!);
        var stored = await SpanAsync(trace, 1);
        Assert.Equal("""[{"role":"user","content":"ping"}]""", Text(stored["input"]!));
        Assert.Equal("""[{"role":"assistant","content":"pong"}]""", Text(stored["output"]!));
    }

    [Fact]
    public async Task ChildBeforeParent_InOneRequest_InheritsSession_NonLlmSpansKeepTheirPlace()
    {
        var trace = NewTraceId();
        var session = "tree-" + trace[..8];
        // Children first, as exporters send them; the root agent span carries the session, the resource the user.
        var request = Traces([("user.id", "tree-user")],
            Span(trace, 3, 2, "chat gpt-4o-mini", 100, 900, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"),
                ("gen_ai.usage.input_tokens", 50L), ("gen_ai.usage.output_tokens", 5L)),
            Span(trace, 4, 2, "execute_tool lookup", 950, 990, ("gen_ai.operation.name", "execute_tool")),
            Span(trace, 2, 1, "invoke_agent support", 50, 1_000, ("gen_ai.operation.name", "invoke_agent")),
            Span(trace, 1, null, "POST /chat", 0, 1_100, ("http.method", "POST"), ("session.id", session)));
        Assert.Null((await (await _client.PostAsync("/v1/traces", request)).TraceResponseAsync()).PartialSuccess);

        var s = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!;
        Assert.Equal(1, (int)s["turns"]!);
        Assert.Equal("tree-user", (string)s["userId"]!);
        var spans = (await _client.GetJsonAsync($"/api/v1/traces/{trace}"))["spans"]!.AsArray();
        Assert.Equal(4, spans.Count);
        string Parent(int id) => (string)spans.Single(x => (string)x!["id"]! == $"{trace}-{SpanId(id)}")!["parentId"]!;
        Assert.Equal($"{trace}-{SpanId(2)}", Parent(3));
        Assert.Equal($"{trace}-{SpanId(2)}", Parent(4));
        Assert.Equal($"{trace}-{SpanId(1)}", Parent(2));
        Assert.Equal(["span", "span", "llm", "span"], spans.Select(x => (string)x!["kind"]!));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SessionAndUser_FromAnAncestorInAnotherRequest_InEitherOrder(bool childrenFirst)
    {
        var trace = NewTraceId();
        var session = $"order-{childrenFirst}-" + trace[..8];
        var root = Traces([], Span(trace, 1, null, "POST /chat", 0, 2_000, ("session.id", session), ("enduser.id", "late-user")));
        var agent = Traces([], Span(trace, 2, 1, "invoke_agent", 10, 1_900, ("gen_ai.operation.name", "invoke_agent")));
        var calls = Traces([],
            Span(trace, 3, 2, "chat", 20, 500, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"),
                ("gen_ai.usage.input_tokens", 100L), ("gen_ai.usage.output_tokens", 10L)),
            Span(trace, 4, 2, "chat", 600, 900, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"),
                ("gen_ai.usage.input_tokens", 200L), ("gen_ai.usage.output_tokens", 20L)));
        // Each level in its own request, as a simple span processor exports them: leaves first, or root first.
        var order = childrenFirst ? new[] { calls, agent, root } : [root, agent, calls];
        foreach (var request in order)
            Assert.Null((await (await _client.PostAsync("/v1/traces", request)).TraceResponseAsync()).PartialSuccess);

        var s = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!;
        Assert.Equal(2, (int)s["turns"]!);
        Assert.Equal("late-user", (string)s["userId"]!);
        Assert.Equal(300, (long)s["inputTokens"]!);
        Assert.Equal(MiniCost(100, 0, 10) + MiniCost(200, 0, 20), (double)s["costUsd"]!, 12);
        var user = await _client.GetJsonAsync("/api/v1/users/late-user/sessions");
        Assert.Contains(user["data"]!.AsArray(), x => (string)x!["sessionId"]! == session);
    }

    [Fact]
    public async Task ReSend_ReplacesAndNeverDoubleCounts()
    {
        var trace = NewTraceId();
        var session = "resend-" + trace[..8];
        var request = Traces([], Span(trace, 1, null, "chat", 0, 100, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"),
            ("session.id", session), ("gen_ai.usage.input_tokens", 10L), ("gen_ai.usage.output_tokens", 1L)));
        for (var i = 0; i < 3; i++)
            await (await _client.PostAsync("/v1/traces", request, gzip: i == 1)).TraceResponseAsync();
        var s = (await _client.GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!;
        Assert.Equal(1, (int)s["turns"]!);
        Assert.Equal(10, (long)s["inputTokens"]!);
    }

    private async Task<JsonNode> SpanAsync(string traceId, int spanId)
    {
        var spans = (await _client.GetJsonAsync($"/api/v1/traces/{traceId}"))["spans"]!.AsArray();
        return spans.Single(s => (string)s!["id"]! == $"{traceId}-{SpanId(spanId)}")!;
    }
}
