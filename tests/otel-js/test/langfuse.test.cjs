// Langfuse's OpenTelemetry SDK (@langfuse/tracing + @langfuse/otel) moved to Zespan by base URL and keys only: the
// secret key is the Zespan key, sent as HTTP Basic to /api/public/otel/v1/traces. Session and user through
// propagateAttributes; each span exported as it ends (children before their parent).
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { startFakeOpenAI, usageFor } = require("./support/fake-openai.cjs");
const { startZespan, miniCost } = require("./support/zespan-server.cjs");

test("Langfuse SDK by base URL and keys: generations, session, user, usage and content land in Zespan", async () => {
  const zespan = await startZespan();
  const fake = await startFakeOpenAI();
  try {
    const { NodeSDK } = require("@opentelemetry/sdk-node");
    const { LangfuseSpanProcessor } = require("@langfuse/otel");
    const sdk = new NodeSDK({
      spanProcessors: [new LangfuseSpanProcessor({ baseUrl: zespan.baseUrl, publicKey: "pk-lf-any", secretKey: zespan.apiKey, exportMode: "immediate" })],
    });
    sdk.start();
    const { startActiveObservation, propagateAttributes } = require("@langfuse/tracing");
    const OpenAI = require("openai");
    const client = new OpenAI({ baseURL: fake.baseURL, apiKey: "sk-test" });

    const session = `lf-${Math.random().toString(36).slice(2, 10)}`;
    const questions = ["Book a table", "For two people"];
    await propagateAttributes({ sessionId: session, userId: "lf-user" }, () =>
      startActiveObservation("support-agent", async () => {
        for (const q of questions) {
          await startActiveObservation("chat", async (generation) => {
            const messages = [{ role: "user", content: q }];
            const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
            const u = completion.usage;
            generation.update({
              model: completion.model,
              input: messages,
              output: completion.choices[0].message,
              // Langfuse's usage convention: input net of cache reads, which are counted apart.
              usageDetails: { input: u.prompt_tokens - u.prompt_tokens_details.cached_tokens, input_cached_tokens: u.prompt_tokens_details.cached_tokens, output: u.completion_tokens },
            });
          }, { asType: "generation" });
        }
      }));
    await sdk.shutdown();

    const detail = await zespan.waitForTurns(session, 2);
    const usage = questions.map((q) => usageFor(q, "Echo: " + q));
    const s = detail.session;
    assert.equal(s.userId, "lf-user");
    assert.equal(s.inputTokens, usage.reduce((n, u) => n + u.prompt_tokens, 0));
    assert.equal(s.outputTokens, usage.reduce((n, u) => n + u.completion_tokens, 0));
    assert.equal(s.status, "ok");
    const expected = usage.reduce((n, u) => n + miniCost(u), 0);
    assert.ok(Math.abs(s.costUsd - expected) < 1e-12, `cost ${s.costUsd} != ${expected}`);
    const first = detail.timeline[0];
    assert.equal(first.model, "gpt-4o-mini-2024-07-18");
    const trace = await zespan.trace(first.traceId);
    const call = trace.spans.find((x) => x.id === first.spanId);
    assert.deepEqual(call.input, [{ role: "user", content: "Book a table" }]);
    assert.equal(call.output.content, "Echo: Book a table");
    assert.ok(trace.spans.some((x) => x.name === "support-agent" && x.kind === "span"), "the agent span keeps its place");
  } finally {
    await fake.close();
    await zespan.stop();
  }
});
