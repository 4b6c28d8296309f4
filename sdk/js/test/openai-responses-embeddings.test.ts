import { describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { useWrappedOpenAI } from "./support/wrapped-openai.js";
import { spanMentioning, uniqueMarker } from "./support/spans.js";

let raw: OpenAI;
let openai: OpenAI;
const fixture = useWrappedOpenAI((ready) => ({ raw, openai } = ready));
const { fakeOpenAI, ingest } = fixture;

describe("responses.create", () => {
  test("returns what the unwrapped client returns, output_text helper included, and records input, output and usage", async () => {
    const marker = uniqueMarker("responses");
    const params = { model: "gpt-4o", instructions: "Be brief.", input: `${marker} [fake:cached=2,reasoning=6]`, max_output_tokens: 50 };
    const fromRaw = await raw.responses.create(params);
    const response = await openai.responses.create(params);
    assert.deepEqual({ ...response, id: "x", created_at: 0, output: null }, { ...fromRaw, id: "x", created_at: 0, output: null });
    assert.equal(response.output_text, fromRaw.output_text);
    assert.ok(response.output_text.length > 0);

    const served = fakeOpenAI.calls.at(-1)!;
    const usage = served.usage as { input_tokens: number; output_tokens: number };
    const span = await spanMentioning(ingest, `${marker} `);
    assert.equal(span.name, "responses.create");
    assert.equal(span.model, "gpt-4o-2024-08-06");
    assert.deepEqual(span.usage, { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, cachedInputTokens: 2, reasoningTokens: 6 });
    assert.deepEqual(span.input, { instructions: "Be brief.", input: params.input });
    assert.deepEqual(span.output, JSON.parse(JSON.stringify(response.output)));
    assert.equal(span.metadata.max_output_tokens, 50);
  });

  test("a streamed response yields every event and records the final response's usage and time to first token", async () => {
    const marker = uniqueMarker("responses-stream");
    const stream = await openai.responses.create({ model: "gpt-4o-mini", input: `${marker} [fake:chunkDelay=5]`, stream: true });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    assert.equal(types[0], "response.created");
    assert.equal(types.at(-1), "response.completed");
    const served = fakeOpenAI.calls.at(-1)!;
    assert.equal(text, served.text);
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "ok");
    assert.equal(span.model, "gpt-4o-mini-2024-07-18");
    assert.equal(span.usage?.inputTokens, (served.usage as { input_tokens: number }).input_tokens);
    const output = span.output as { content: { text: string }[] }[];
    assert.equal(output[0]!.content[0]!.text, served.text);
    assert.equal(typeof span.metadata.timeToFirstTokenMs, "number");
  });

  test("an error response is recorded and rethrown", async () => {
    const marker = uniqueMarker("responses-error");
    await assert.rejects(openai.responses.create({ model: "gpt-4o", input: `${marker} [fake:status=429]` }), OpenAI.RateLimitError);
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "error");
    assert.equal(span.metadata.httpStatus, 429);
  });
});

describe("embeddings.create", () => {
  test("returns decoded vectors like the unwrapped client and records token usage without the vectors", async () => {
    const marker = uniqueMarker("embeddings");
    const params = { model: "text-embedding-3-small", input: [`${marker} one`, `${marker} two words`], dimensions: 16 };
    const fromRaw = await raw.embeddings.create(params);
    const result = await openai.embeddings.create(params);
    assert.deepEqual(result.data.map((item) => Array.from(item.embedding)), fromRaw.data.map((item) => Array.from(item.embedding)));
    assert.equal(result.data[0]!.embedding.length, 16);

    const span = await spanMentioning(ingest, `${marker} one`);
    assert.equal(span.name, "embeddings.create");
    assert.equal(span.model, "text-embedding-3-small");
    assert.deepEqual(span.usage, { inputTokens: result.usage.prompt_tokens, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 });
    assert.deepEqual(span.input, params.input);
    assert.deepEqual(span.output, { embeddings: 2, dimensions: 16 });
  });

  test("base64 embeddings requested by the caller stay base64", async () => {
    const marker = uniqueMarker("embeddings-b64");
    const result = await openai.embeddings.create({ model: "text-embedding-3-small", input: marker, encoding_format: "base64" });
    assert.equal(typeof result.data[0]!.embedding, "string");
    const span = await spanMentioning(ingest, marker);
    assert.deepEqual(span.output, { embeddings: 1, dimensions: 8 });
  });
});
