import { describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { useWrappedOpenAI } from "./support/wrapped-openai.js";
import { spanMentioning, uniqueMarker } from "./support/spans.js";

// The client's helper methods: `parse` (structured outputs) and `stream` (event-stream helpers). Each
// must give exactly one span — spanMentioning fails when there is none or more than one — on every
// openai version the test command runs (the pinned oldest major, and openai@latest on the newest Node).
let openai: OpenAI;
let raw: OpenAI;
const fixture = useWrappedOpenAI((ready) => ({ openai, raw } = ready));
const { fakeOpenAI, ingest } = fixture;

const answerSchema = {
  name: "answer",
  strict: true,
  schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false },
};

function servedUsage(path: string) {
  return fakeOpenAI.callsTo(path).at(-1)!.usage as Record<string, number>;
}

describe("every public method the SDK records exists on this openai version", () => {
  test("chat.completions.create/parse/stream, responses.create/parse/stream, embeddings.create", () => {
    for (const [resource, methods] of [
      [raw.chat.completions, ["create", "parse", "stream"]],
      [raw.responses, ["create", "parse", "stream"]],
      [raw.embeddings, ["create"]],
    ] as const) {
      for (const method of methods) assert.equal(typeof (resource as unknown as Record<string, unknown>)[method], "function", method);
    }
  });
});

describe("parse() helpers", () => {
  test("chat.completions.parse with a JSON schema is recorded once, with usage and the structured output", async () => {
    const marker = uniqueMarker("chat-parse");
    const completion = await openai.chat.completions.parse({
      model: "gpt-4o",
      messages: [{ role: "user", content: marker }],
      response_format: { type: "json_schema", json_schema: answerSchema },
    });
    const parsed = completion.choices[0]!.message.parsed as unknown as { answer: string };
    assert.equal(typeof parsed.answer, "string");
    const span = await spanMentioning(ingest, marker);
    const usage = servedUsage("/v1/chat/completions");
    assert.equal(span.name, "chat.completions.create");
    assert.equal(span.status, "ok");
    assert.equal(span.usage?.inputTokens, usage.prompt_tokens);
    assert.equal(span.usage?.outputTokens, usage.completion_tokens);
    assert.deepEqual(JSON.parse((span.output as { content: string }).content), parsed);
  });

  test("responses.parse with a JSON schema is recorded once, with usage and the output items", async () => {
    const marker = uniqueMarker("responses-parse");
    const response = await openai.responses.parse({
      model: "gpt-4o",
      input: marker,
      text: { format: { type: "json_schema", ...answerSchema } },
    });
    const parsed = response.output_parsed as unknown as { answer: string };
    assert.equal(typeof parsed.answer, "string");
    const span = await spanMentioning(ingest, marker);
    const usage = servedUsage("/v1/responses");
    assert.equal(span.name, "responses.create");
    assert.equal(span.status, "ok");
    assert.equal(span.usage?.inputTokens, usage.input_tokens);
    assert.equal(span.usage?.outputTokens, usage.output_tokens);
    assert.match(JSON.stringify(span.output), /answer/);
  });
});

describe("stream() helpers", () => {
  test("chat.completions.stream read with for await is recorded once, with usage, output and time to first token", async () => {
    const marker = uniqueMarker("chat-stream-iterated");
    const stream = openai.chat.completions.stream({ model: "gpt-4o", messages: [{ role: "user", content: marker }], stream_options: { include_usage: true } });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.name, "chat.completions.create");
    assert.equal(span.status, "ok");
    assert.equal((span.output as { content: string }).content, text);
    assert.equal(span.usage?.outputTokens, servedUsage("/v1/chat/completions").completion_tokens);
    assert.equal(typeof span.metadata.timeToFirstTokenMs, "number");
    assert.ok((span.metadata.chunks as number) > 2);
  });

  test("chat.completions.stream without include_usage is recorded with usage null, not zeros", async () => {
    const marker = uniqueMarker("chat-stream-no-usage");
    await openai.chat.completions.stream({ model: "gpt-4o", messages: [{ role: "user", content: marker }] }).finalChatCompletion();
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "ok");
    assert.equal(span.usage, null);
  });

  test("responses.stream read through finalResponse() is recorded once, with usage and output", async () => {
    const marker = uniqueMarker("responses-stream-final");
    const final = await openai.responses.stream({ model: "gpt-4o", input: marker }).finalResponse();
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.name, "responses.create");
    assert.equal(span.status, "ok");
    assert.equal(span.usage?.outputTokens, final.usage?.output_tokens);
    assert.match(JSON.stringify(span.output), new RegExp(final.output_text.split(" ")[0]!));
    assert.equal(typeof span.metadata.timeToFirstTokenMs, "number");
  });

  test("responses.stream read event by event is recorded once", async () => {
    const marker = uniqueMarker("responses-stream-iterated");
    let text = "";
    for await (const event of openai.responses.stream({ model: "gpt-4o", input: marker })) {
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "ok");
    assert.equal(span.usage?.outputTokens, servedUsage("/v1/responses").output_tokens);
    assert.ok(text.length > 0);
  });

  test("a helper stream left early is recorded with what arrived and streamEndedEarly", async () => {
    const marker = uniqueMarker("chat-stream-left");
    const stream = openai.chat.completions.stream({ model: "gpt-4o", messages: [{ role: "user", content: `${marker} [fake:words=40,chunkDelay=5]` }] });
    let chunks = 0;
    for await (const _chunk of stream) if (++chunks === 3) break;
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "ok");
    assert.equal(span.metadata.streamEndedEarly, true);
    assert.equal(span.usage, null);
  });

  test("a helper stream that fails is recorded as an error, and the caller still gets the error", async () => {
    const marker = uniqueMarker("chat-stream-fails");
    const stream = openai.chat.completions.stream({ model: "gpt-4o", messages: [{ role: "user", content: `${marker} [fake:status=500]` }] });
    await assert.rejects(stream.finalChatCompletion(), OpenAI.APIError);
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "error");
    assert.equal(span.metadata.httpStatus, 500);
  });
});
