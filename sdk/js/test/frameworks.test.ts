import { describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { ChatOpenAI } from "@langchain/openai";
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled } from "@openai/agents";
import { z } from "zod";
import { zespan, withZespanContext } from "@zespan/sdk";
import { useWrappedOpenAI } from "./support/wrapped-openai.js";
import { spanMentioning, uniqueMarker } from "./support/spans.js";

// Libraries built on the openai package, used the way docs/sdk-js.md tells users to. Each test fails when
// the call it makes is not recorded exactly once (spanMentioning), with the session of its context.
const fixture = useWrappedOpenAI();
const { fakeOpenAI, ingest } = fixture;

function chatOpenAI(options: { useResponsesApi?: boolean } = {}): ChatOpenAI {
  return new ChatOpenAI({
    model: "gpt-4o",
    apiKey: "sk-test",
    maxRetries: 0,
    ...options,
    // The one line of docs/sdk-js.md: LangChain builds its own OpenAI client; its fetch records the calls.
    configuration: { baseURL: fakeOpenAI.baseURL, fetch: zespan.wrapFetch() },
  });
}

describe("LangChain JS (@langchain/openai ChatOpenAI with configuration.fetch = zespan.wrapFetch())", () => {
  test("invoke() is recorded with the context's session, usage and the reply", async () => {
    const marker = uniqueMarker("langchain-invoke");
    const reply = await withZespanContext({ sessionId: "lc-session", userId: "lc-user" }, () => chatOpenAI().invoke(marker));
    const span = await spanMentioning(ingest, marker);
    const served = fakeOpenAI.callsTo("/v1/chat/completions").at(-1)!.usage as { prompt_tokens: number; completion_tokens: number };
    assert.equal(span.name, "chat.completions.create");
    assert.equal(span.sessionId, "lc-session");
    assert.equal(span.userId, "lc-user");
    assert.equal(span.model, "gpt-4o-2024-08-06");
    assert.equal(span.usage?.inputTokens, served.prompt_tokens);
    assert.equal(span.usage?.outputTokens, served.completion_tokens);
    assert.equal((span.output as { content: string }).content, reply.content);
  });

  test("withStructuredOutput() (a JSON-schema parse) is recorded", async () => {
    const marker = uniqueMarker("langchain-structured");
    const structured = chatOpenAI().withStructuredOutput(z.object({ answer: z.string() }), { name: "answer" });
    const result = await withZespanContext({ sessionId: "lc-structured" }, () => structured.invoke(marker));
    assert.equal(typeof result.answer, "string");
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.sessionId, "lc-structured");
    assert.equal(span.status, "ok");
    assert.deepEqual(JSON.parse((span.output as { content: string }).content), result);
  });

  test("stream() is recorded once, with the streamed text", async () => {
    const marker = uniqueMarker("langchain-stream");
    let text = "";
    await withZespanContext({ sessionId: "lc-stream" }, async () => {
      for await (const chunk of await chatOpenAI().stream(marker)) text += String(chunk.content);
    });
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "ok");
    assert.equal((span.output as { content: string }).content, text);
    assert.equal(typeof span.metadata.timeToFirstTokenMs, "number");
  });

  test("the Responses API (useResponsesApi) is recorded", async () => {
    const marker = uniqueMarker("langchain-responses");
    await withZespanContext({ sessionId: "lc-responses" }, () => chatOpenAI({ useResponsesApi: true }).invoke(marker));
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.name, "responses.create");
    assert.equal(span.sessionId, "lc-responses");
    assert.equal(span.usage?.outputTokens, (fakeOpenAI.callsTo("/v1/responses").at(-1)!.usage as { output_tokens: number }).output_tokens);
  });

  test("a refused call is recorded as an error with the API's message", async () => {
    const marker = uniqueMarker("langchain-error");
    await assert.rejects(chatOpenAI().invoke(`${marker} [fake:status=400]`));
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "error");
    assert.match(span.error ?? "", /^400 Fake failure 400/);
    assert.equal(span.metadata.httpStatus, 400);
  });
});

describe("OpenAI Agents SDK (@openai/agents with setDefaultOpenAIClient(zespan.wrapOpenAI(client)))", () => {
  test("an agent run's model call is recorded with the context's session", async () => {
    setTracingDisabled(true); // the Agents SDK's own tracing would export to OpenAI
    setDefaultOpenAIClient(zespan.wrapOpenAI(new OpenAI({ apiKey: "sk-test", baseURL: fakeOpenAI.baseURL, maxRetries: 0 })));
    const marker = uniqueMarker("agents-run");
    const agent = new Agent({ name: "Assistant", instructions: "Be brief.", model: "gpt-4o" });
    const result = await withZespanContext({ sessionId: "agent-session" }, () => run(agent, marker));
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.name, "responses.create");
    assert.equal(span.sessionId, "agent-session");
    assert.equal(span.status, "ok");
    assert.ok(String(result.finalOutput).length > 0);
    assert.match(JSON.stringify(span.output), new RegExp(String(result.finalOutput).split(" ")[0]!));
  });
});
