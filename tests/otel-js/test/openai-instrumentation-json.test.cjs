const { test } = require("node:test");
const { runOpenAIInstrumentationScenario } = require("./support/openai-scenario.cjs");

test("openai instrumentation, OTLP JSON exporter: session, user, tokens, cost and content land in Zespan", async () => {
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-http");
  await runOpenAIInstrumentationScenario(OTLPTraceExporter);
});
