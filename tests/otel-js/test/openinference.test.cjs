// OpenInference (@arizeai/openinference-instrumentation-openai) over the real `openai` package, exported by the
// OpenTelemetry Node SDK (protobuf); session and user set with OpenInference's context helpers (session.id, user.id).
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { startFakeOpenAI, usageFor } = require("./support/fake-openai.cjs");
const { startZespan, miniCost } = require("./support/zespan-server.cjs");
const { startExportingTo } = require("./support/node-sdk.cjs");

test("OpenInference openai instrumentation: session.id, user.id, tokens, cost and messages land in Zespan", async () => {
  const zespan = await startZespan();
  const fake = await startFakeOpenAI();
  try {
    const { OpenAIInstrumentation } = require("@arizeai/openinference-instrumentation-openai");
    const sdk = startExportingTo(zespan, "openinference-app", [new OpenAIInstrumentation()]);
    const { context } = require("@opentelemetry/api");
    const { setSession, setUser } = require("@arizeai/openinference-core");
    const OpenAI = require("openai");
    const client = new OpenAI({ baseURL: fake.baseURL, apiKey: "sk-test" });

    const session = `oi-${Math.random().toString(36).slice(2, 10)}`;
    const questions = ["Summarise my order", "Is it paid?"];
    await context.with(setUser(setSession(context.active(), { sessionId: session }), { userId: "oi-user" }), async () => {
      for (const q of questions)
        await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: q }] });
    });
    await sdk.shutdown();

    const detail = await zespan.waitForTurns(session, 2);
    const usage = questions.map((q) => usageFor("Be brief.\n" + q, "Echo: " + q));
    const s = detail.session;
    assert.equal(s.userId, "oi-user");
    assert.equal(s.inputTokens, usage.reduce((n, u) => n + u.prompt_tokens, 0));
    assert.equal(s.outputTokens, usage.reduce((n, u) => n + u.completion_tokens, 0));
    assert.equal(s.status, "ok");
    const expected = usage.reduce((n, u) => n + miniCost(u), 0); // cache reads come as llm.token_count.prompt_details.cache_read
    assert.ok(Math.abs(s.costUsd - expected) < 1e-12, `cost ${s.costUsd} != ${expected}`);
    const first = detail.timeline[0];
    const call = (await zespan.trace(first.traceId)).spans.find((x) => x.id === first.spanId);
    assert.deepEqual(call.input, [{ role: "system", content: "Be brief." }, { role: "user", content: "Summarise my order" }]);
    assert.deepEqual(call.output, [{ role: "assistant", content: "Echo: Summarise my order" }]);
  } finally {
    await fake.close();
    await zespan.stop();
  }
});
