import { describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { zespan, withZespanContext } from "@zespan/sdk";
import { useWrappedOpenAI } from "./support/wrapped-openai.js";
import { durationMs, spanMentioning, uniqueMarker } from "./support/spans.js";

let raw: OpenAI;
let openai: OpenAI;
const fixture = useWrappedOpenAI((ready) => ({ raw, openai } = ready));
const { fakeOpenAI, ingest } = fixture;

/** The parts of a completion that differ between two identical calls. */
function withoutPerCallIds(completion: OpenAI.Chat.ChatCompletion) {
  return { ...completion, id: "x", created: 0 };
}

describe("chat.completions.create (not streamed)", () => {
  test("returns exactly what the unwrapped client returns", async () => {
    const params = { model: "gpt-4o", messages: [{ role: "user" as const, content: uniqueMarker("same-answer") }] };
    const fromRaw = await raw.chat.completions.create(params);
    const fromWrapped = await openai.chat.completions.create(params);
    assert.deepEqual(withoutPerCallIds(fromWrapped), withoutPerCallIds(fromRaw));
    assert.match(fromWrapped._request_id ?? "", /^req_/);
  });

  test("is recorded as one llm span with model, usage, input and output", async () => {
    const marker = uniqueMarker("recorded");
    const messages = [
      { role: "system" as const, content: "You are terse." },
      { role: "user" as const, content: `${marker} [fake:cached=5,reasoning=3]` },
    ];
    const completion = await openai.chat.completions.create({ model: "gpt-4o", messages, temperature: 0.2 });
    const served = fakeOpenAI.calls.at(-1)!;

    const span = await spanMentioning(ingest, marker);
    assert.equal(span.kind, "llm");
    assert.equal(span.name, "chat.completions.create");
    assert.equal(span.provider, "openai");
    assert.equal(span.model, "gpt-4o-2024-08-06", "the model the response names, not the alias requested");
    assert.equal(span.status, "ok");
    const usage = served.usage as { prompt_tokens: number; completion_tokens: number };
    assert.deepEqual(span.usage, {
      inputTokens: usage.prompt_tokens,
      outputTokens: usage.completion_tokens,
      cachedInputTokens: 5,
      reasoningTokens: 3,
    });
    assert.deepEqual(span.input, messages);
    assert.deepEqual(span.output, JSON.parse(JSON.stringify(completion.choices[0]!.message)));
    assert.equal(span.metadata.temperature, 0.2);
    assert.equal(span.metadata.finishReason, "stop");
    assert.equal(span.parentId, null);
    assert.match(span.id, /^[0-9a-f]{16,}$/);
    assert.match(span.traceId, /^[0-9a-f]{32}$/);
    assert.match(span.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(durationMs(span) >= 0);
  });

  test("a response whose usage a proxy stripped (absent, {} or null) is recorded with usage null, never zeros", async () => {
    for (const strip of [1, 2, 3]) {
      const marker = uniqueMarker(`stripped-usage-${strip}`);
      const completion = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: `${marker} [fake:stripUsage=${strip}]` }] });
      assert.ok(completion.choices[0]!.message.content, "the caller still gets the answer");
      const chat = await spanMentioning(ingest, marker);
      assert.equal(chat.status, "ok");
      assert.equal(chat.usage, null, `chat, stripUsage=${strip}`);

      const responseMarker = uniqueMarker(`stripped-responses-usage-${strip}`);
      await openai.responses.create({ model: "gpt-4o", input: `${responseMarker} [fake:stripUsage=${strip}]` });
      const response = await spanMentioning(ingest, responseMarker);
      assert.equal(response.name, "responses.create");
      assert.equal(response.usage, null, `responses, stripUsage=${strip}`);
    }
  });

  test("records the input as it was at call time even if the caller mutates its messages afterwards", async () => {
    const marker = uniqueMarker("snapshot");
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: marker }];
    const completion = await openai.chat.completions.create({ model: "gpt-4o", messages });
    messages.push(completion.choices[0]!.message, { role: "user", content: "follow-up" });
    const span = await spanMentioning(ingest, marker);
    assert.equal((span.input as unknown[]).length, 1);
  });

  test("carries userId, sessionId, tags and metadata of the surrounding context", async () => {
    const marker = uniqueMarker("context");
    await withZespanContext({ userId: "u-1", sessionId: "s-1", tags: ["beta"], metadata: { feature: "support-chat" } }, () =>
      openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: marker }] }),
    );
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.userId, "u-1");
    assert.equal(span.sessionId, "s-1");
    assert.deepEqual(span.tags, ["beta"]);
    assert.equal(span.metadata.feature, "support-chat");
    assert.equal(span.model, "gpt-4o-mini-2024-07-18");
  });

  test("withResponse() still gives data, the raw response and the request id", async () => {
    const marker = uniqueMarker("with-response");
    const { data, response, request_id } = await openai.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: marker }] })
      .withResponse();
    assert.equal(response.status, 200);
    assert.match(request_id ?? "", /^req_/);
    assert.equal(data.object, "chat.completion");
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.usage?.inputTokens, data.usage?.prompt_tokens);
  });

  test("asResponse() leaves the body unread for the caller and still records the call", async () => {
    const marker = uniqueMarker("as-response");
    const response = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: marker }] }).asResponse();
    const body = (await response.json()) as OpenAI.Chat.ChatCompletion;
    assert.equal(body.object, "chat.completion");
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "ok");
    assert.equal(span.metadata.bodyReadByCaller, true);
  });

  test("an API error reaches the caller unchanged and is recorded with status error and the API's message", async () => {
    for (const status of [400, 500]) {
      const marker = uniqueMarker(`error-${status}`);
      const call = () => openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: `${marker} [fake:status=${status}]` }] });
      const rawError = await raw.chat.completions
        .create({ model: "gpt-4o", messages: [{ role: "user", content: `${marker}-raw [fake:status=${status}]` }] })
        .catch((error: unknown) => error);
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.status, status);
        assert.equal(error.constructor, (rawError as object).constructor);
        return true;
      });
      const span = await spanMentioning(ingest, marker);
      assert.equal(span.status, "error");
      assert.match(span.error ?? "", new RegExp(`^${status} Fake failure ${status}`));
      assert.equal(span.metadata.httpStatus, status);
      assert.equal(span.usage, null);
    }
  });

  test("a connection failure is recorded as an error and rethrown", async () => {
    const unreachable = zespan.wrapOpenAI(new OpenAI({ apiKey: "sk-test", baseURL: "http://127.0.0.1:1/v1", maxRetries: 0 }));
    const marker = uniqueMarker("no-connection");
    await assert.rejects(
      unreachable.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: marker }] }),
      OpenAI.APIConnectionError,
    );
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.status, "error");
    assert.match(span.error ?? "", /Connection error/);
  });

  test("a slow response is timed from the call to the parsed result", async () => {
    const marker = uniqueMarker("slow");
    const started = Date.now();
    await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: `${marker} [fake:delay=300]` }] });
    const elapsed = Date.now() - started;
    const span = await spanMentioning(ingest, marker);
    assert.ok(durationMs(span) >= 290, `span lasted ${durationMs(span)} ms`);
    assert.ok(durationMs(span) <= elapsed + 5, `span lasted ${durationMs(span)} ms, call ${elapsed} ms`);
  });

  test("parse() helper calls are recorded through the wrapped create", async () => {
    const marker = uniqueMarker("parse-helper");
    const parsed = await openai.chat.completions.parse({ model: "gpt-4o", messages: [{ role: "user", content: marker }] });
    assert.equal(parsed.object, "chat.completion");
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.name, "chat.completions.create");
    assert.equal(span.status, "ok");
  });

  test("the wrapped client is still an OpenAI instance and the original is not modified", async () => {
    assert.ok(openai instanceof OpenAI);
    assert.equal(zespan.wrapOpenAI(openai), openai, "wrapping twice returns the same view");
    const before = ingest.stored.length;
    const marker = uniqueMarker("raw-not-recorded");
    await raw.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: marker }] });
    await zespan.flush();
    assert.equal(ingest.stored.filter((span) => JSON.stringify(span.input).includes(marker)).length, 0);
    assert.ok(ingest.stored.length >= before);
  });
});
