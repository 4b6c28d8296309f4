// The Vercel AI SDK (`ai` + `@ai-sdk/openai`) with its telemetry on, exported by the OpenTelemetry Node SDK (protobuf).
// Session and user travel as telemetry metadata (ai.telemetry.metadata.sessionId / userId) up to AI SDK 6; from 7, whose
// telemetry is the @ai-sdk/otel integration's GenAI-convention spans, as included runtime context (ai.settings.context.*).
// The pinned run tests 6, scripts/test-newest.sh the newest.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { startFakeOpenAI, usageFor } = require("./support/fake-openai.cjs");
const { startZespan, miniCost } = require("./support/zespan-server.cjs");
const { startExportingTo } = require("./support/node-sdk.cjs");

test("Vercel AI SDK telemetry: one turn per call, session, user, tokens, cost and content land in Zespan", async () => {
  const zespan = await startZespan();
  const fake = await startFakeOpenAI();
  try {
    const sdk = startExportingTo(zespan, "vercel-app");
    const ai = require("ai");
    // AI SDK 7 sends telemetry only through a registered integration (@ai-sdk/otel) and drops telemetry metadata:
    // session and user go as runtime context the call includes (ai.settings.context.*); up to 6, telemetry was built in.
    const seven = typeof ai.registerTelemetry === "function";
    if (seven) ai.registerTelemetry(new (require("@ai-sdk/otel").OpenTelemetry)({ runtimeContext: true }));
    const { generateText } = ai;
    const { createOpenAI } = require("@ai-sdk/openai");
    const openai = createOpenAI({ baseURL: fake.baseURL, apiKey: "sk-test" });

    const session = `vercel-${Math.random().toString(36).slice(2, 10)}`;
    const questions = ["Capital of France?", "And of Spain?"];
    for (const prompt of questions) {
      const { text } = await generateText({
        model: openai.chat("gpt-4o-mini"),
        prompt,
        ...(seven
          ? { runtimeContext: { sessionId: session, userId: "vercel-user" }, telemetry: { functionId: "geo", includeRuntimeContext: { sessionId: true, userId: true } } }
          : { experimental_telemetry: { isEnabled: true, functionId: "geo", metadata: { sessionId: session, userId: "vercel-user" } } }),
      });
      assert.equal(text, "Echo: " + prompt);
    }
    await sdk.shutdown();

    const detail = await zespan.waitForTurns(session, 2);
    const usage = questions.map((q) => usageFor(q, "Echo: " + q));
    const s = detail.session;
    assert.equal(s.userId, "vercel-user");
    assert.equal(s.inputTokens, usage.reduce((n, u) => n + u.prompt_tokens, 0));
    assert.equal(s.outputTokens, usage.reduce((n, u) => n + u.completion_tokens, 0));
    assert.equal(s.status, "ok");
    const expected = usage.reduce((n, u) => n + miniCost(u), 0); // the SDK reports cached input tokens
    assert.ok(Math.abs(s.costUsd - expected) < 1e-12, `cost ${s.costUsd} != ${expected}`);
    const first = detail.timeline[0];
    const trace = await zespan.trace(first.traceId);
    const call = trace.spans.find((x) => x.id === first.spanId);
    assert.match(JSON.stringify(call.input), /Capital of France\?/);
    if (seven) assert.match(JSON.stringify(call.output), /"Echo: Capital of France\?"/);
    else assert.equal(call.output, "Echo: Capital of France?");
    const outer = seven ? "invoke_agent" : "ai.generateText";
    assert.ok(trace.spans.some((x) => x.name.startsWith(outer) && x.kind === "span"), `the outer ${outer} span is kept, not counted`);
  } finally {
    await fake.close();
    await zespan.stop();
  }
});
