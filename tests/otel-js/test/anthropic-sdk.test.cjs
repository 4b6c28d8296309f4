// The real `@anthropic-ai/sdk`'s own OpenTelemetry spans (gen_ai.usage.cache_read/cache_write.input_tokens): see
// support/anthropic-scenario.cjs for the call and what is checked.
const { test } = require("node:test");
const { callRecordedBy } = require("./support/anthropic-scenario.cjs");

// Without it the SDK's spans carry no prompt or completion (its default is metadata only): docs/otel.md says to set it.
process.env.ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE = "content";

test("@anthropic-ai/sdk's own spans: cache reads and writes in input, writes at the cache-write price", async () => {
  const { trace, context } = require("@opentelemetry/api");
  // The session on the request's own span, which the call's span descends from (docs/otel.md, "Trace context").
  await callRecordedBy([], (session, call) => trace.getTracer("shop").startActiveSpan("POST /chat", { attributes: { "session.id": session } },
    async (span) => { try { return await context.with(trace.setSpan(context.active(), span), call); } finally { span.end(); } }));
});
