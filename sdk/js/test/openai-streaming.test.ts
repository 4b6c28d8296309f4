import { describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { useWrappedOpenAI } from "./support/wrapped-openai.js";
import { durationMs, spanMentioning, uniqueMarker } from "./support/spans.js";

let raw: OpenAI;
let openai: OpenAI;
const fixture = useWrappedOpenAI((ready) => ({ raw, openai } = ready));
const { fakeOpenAI, ingest } = fixture;

function comparable(chunk: OpenAI.Chat.ChatCompletionChunk) {
  return { ...chunk, id: "x", created: 0 };
}

describe("chat.completions.create with stream: true", () => {
  test("yields every chunk unchanged and records usage when include_usage was asked for", async () => {
    const marker = uniqueMarker("stream-usage");
    const params = {
      model: "gpt-4o",
      messages: [{ role: "user" as const, content: `${marker} [fake:cached=4,words=12]` }],
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const rawChunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of await raw.chat.completions.create(params)) rawChunks.push(chunk);
    const wrappedChunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of await openai.chat.completions.create(params)) wrappedChunks.push(chunk);
    assert.deepEqual(wrappedChunks.map(comparable), rawChunks.map(comparable));

    const served = fakeOpenAI.calls.at(-1)!;
    const usage = served.usage as { prompt_tokens: number; completion_tokens: number };
    const span = await spanMentioning(ingest, `${marker} `);
    assert.equal(span.status, "ok");
    assert.equal(span.model, "gpt-4o-2024-08-06");
    assert.deepEqual(span.usage, { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, cachedInputTokens: 4, reasoningTokens: 0 });
    assert.deepEqual(span.output, { role: "assistant", content: served.text });
    assert.equal(span.metadata.stream, true);
    assert.equal(span.metadata.finishReason, "stop");
    assert.equal(span.metadata.chunks, wrappedChunks.length);
    assert.equal(typeof span.metadata.timeToFirstTokenMs, "number");
  });

  test("without include_usage no usage is invented and the caller's chunks carry no usage", async () => {
    const marker = uniqueMarker("stream-no-usage");
    const stream = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: marker }], stream: true });
    for await (const chunk of stream) {
      assert.equal(chunk.usage, undefined, "the SDK must not turn on include_usage behind the caller's back");
      assert.ok(chunk.choices.length > 0);
    }
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.usage, null);
    assert.equal(span.status, "ok");
    assert.equal((span.output as { content: string }).content, fakeOpenAI.calls.at(-1)!.text);
  });

  test("time to first token measures the wait for the first content chunk", async () => {
    const marker = uniqueMarker("ttft");
    const stream = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: `${marker} [fake:delay=150,chunkDelay=40,words=5]` }],
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    const span = await spanMentioning(ingest, marker);
    const ttft = span.metadata.timeToFirstTokenMs as number;
    // Headers after 150 ms, then the role chunk, then 40 ms to the first word.
    assert.ok(ttft >= 180, `ttft ${ttft}`);
    assert.ok(ttft < durationMs(span), `ttft ${ttft} must come before the end (${durationMs(span)} ms)`);
    assert.ok(durationMs(span) >= 150 + 6 * 40 - 10, `stream lasted ${durationMs(span)} ms`);
  });

  test("breaking out of for-await ends the span with what was received so far", async () => {
    const marker = uniqueMarker("stream-break");
    const stream = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: `${marker} [fake:words=40,chunkDelay=20]` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let received = "";
    let count = 0;
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? "";
      if (++count === 4) break;
    }
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "ok");
    assert.equal(span.metadata.streamEndedEarly, true);
    assert.equal((span.output as { content: string }).content, received);
    assert.equal(span.usage, null, "usage only arrives in the last chunk, which was never read");
    assert.ok(stream.controller.signal.aborted, "the client aborted the request as it does unwrapped");
  });

  test("controller.abort() ends the span even when nobody reads the stream again", async () => {
    const marker = uniqueMarker("stream-abort");
    const stream = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: `${marker} [fake:words=100,chunkDelay=30]` }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    stream.controller.abort();
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.metadata.streamEndedEarly, true);
    assert.ok(durationMs(span) < 100 * 30 - 500, "ended at the abort, not when the server would have finished");
  });

  test("controller.abort() inside for-await stops the loop quietly, as unwrapped", async () => {
    const marker = uniqueMarker("stream-abort-loop");
    const stream = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: `${marker} [fake:words=30,chunkDelay=10]` }],
      stream: true,
    });
    let count = 0;
    for await (const _ of stream) {
      if (++count === 3) stream.controller.abort();
    }
    assert.equal(count, 3);
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.metadata.streamEndedEarly, true);
    assert.equal(span.status, "ok");
  });

  test("an error inside the stream reaches the caller and is recorded as an error", async () => {
    const marker = uniqueMarker("stream-error");
    const stream = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: `${marker} [fake:failAfterChunks=3]` }],
      stream: true,
    });
    let count = 0;
    await assert.rejects(async () => {
      for await (const _ of stream) count++;
    }, OpenAI.APIError);
    assert.equal(count, 3);
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "error");
    assert.match(span.error ?? "", /server had an error/);
  });

  test("tee() and toReadableStream() still work on a wrapped stream", async () => {
    const marker = uniqueMarker("stream-tee");
    const stream = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: marker }], stream: true });
    const [left, right] = stream.tee();
    const collect = async (s: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>) => {
      let text = "";
      for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? "";
      return text;
    };
    const [a, b] = await Promise.all([collect(left), collect(right)]);
    assert.equal(a, b);
    const span = await spanMentioning(ingest, marker);
    assert.equal((span.output as { content: string }).content, a);

    const marker2 = uniqueMarker("stream-readable");
    const stream2 = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: marker2 }], stream: true });
    const reader = stream2.toReadableStream().getReader();
    let lines = 0;
    for (let step = await reader.read(); !step.done; step = await reader.read()) lines++;
    assert.ok(lines > 0);
    const span2 = await spanMentioning(ingest, marker2);
    assert.equal(span2.status, "ok");
  });

  test("the stream() helper is recorded through the wrapped create", async () => {
    const marker = uniqueMarker("stream-helper");
    const runner = openai.chat.completions.stream({ model: "gpt-4o", messages: [{ role: "user", content: marker }], stream_options: { include_usage: true } });
    const final = await runner.finalChatCompletion();
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "ok");
    assert.equal((span.output as { content: string }).content, final.choices[0]!.message.content);
    assert.equal(span.usage?.outputTokens, final.usage?.completion_tokens);
  });
});
