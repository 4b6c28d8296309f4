import { describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { getZespanContext, withLumiqtraceContext, withZespanContext } from "@zespan/sdk";
import { useWrappedOpenAI } from "./support/wrapped-openai.js";
import { spanMentioning, uniqueMarker } from "./support/spans.js";

let openai: OpenAI;
const fixture = useWrappedOpenAI((ready) => ({ openai } = ready));
const { ingest } = fixture;

const ask = (content: string) => openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] });

describe("withZespanContext", () => {
  test("withLumiqtraceContext is the same function", () => {
    assert.equal(withLumiqtraceContext, withZespanContext);
  });

  test("returns what the function returns, sync or async", async () => {
    assert.equal(withZespanContext({ userId: "u" }, () => 42), 42);
    assert.equal(await withZespanContext({ userId: "u" }, async () => "done"), "done");
  });

  test("reaches calls after awaits, inside timers and in callbacks", async () => {
    const marker = uniqueMarker("timers");
    await withZespanContext({ userId: "timer-user", sessionId: "timer-session" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          ask(`${marker}-timeout`).then(() => resolve(), reject);
        }, 5);
      });
      await new Promise<void>((resolve, reject) => setImmediate(() => ask(`${marker}-immediate`).then(() => resolve(), reject)));
    });
    for (const suffix of ["timeout", "immediate"]) {
      const span = await spanMentioning(ingest, `${marker}-${suffix}`);
      assert.equal(span.userId, "timer-user");
      assert.equal(span.sessionId, "timer-session");
    }
  });

  test("nested contexts merge: inner ids win, tags combine, metadata merges", async () => {
    const marker = uniqueMarker("nested");
    await withZespanContext({ userId: "outer", sessionId: "s-outer", tags: ["a"], metadata: { feature: "chat", plan: "pro" } }, () =>
      withZespanContext({ sessionId: "s-inner", tags: ["b", "a"], metadata: { plan: "team" } }, async () => {
        assert.deepEqual(getZespanContext(), { userId: "outer", sessionId: "s-inner", tags: ["a", "b"], metadata: { feature: "chat", plan: "team" } });
        await ask(marker);
      }),
    );
    const span = await spanMentioning(ingest, marker);
    assert.equal(span.userId, "outer");
    assert.equal(span.sessionId, "s-inner");
    assert.deepEqual(span.tags, ["a", "b"]);
    assert.equal(span.metadata.feature, "chat");
    assert.equal(span.metadata.plan, "team");
  });

  test("concurrent conversations keep their own context, and nothing leaks outside", async () => {
    const marker = uniqueMarker("concurrent");
    const conversations = Array.from({ length: 12 }, (_, i) => ({ userId: `user-${i}`, sessionId: `${marker}-session-${i}` }));
    await Promise.all(
      conversations.map((conversation, i) =>
        withZespanContext(conversation, async () => {
          for (let turn = 0; turn < 3; turn++) {
            // Different delays interleave the calls of different conversations.
            await ask(`${marker} conv ${i} turn ${turn} [fake:delay=${((i * 7 + turn * 13) % 5) * 10}]`);
          }
        }),
      ),
    );
    await ask(`${marker} outside`);
    await ingest.waitForStored((spans) => spans.filter((span) => JSON.stringify(span.input).includes(marker)).length === 37);
    const spans = ingest.stored.filter((span) => JSON.stringify(span.input).includes(marker));
    for (const span of spans) {
      const text = JSON.stringify(span.input);
      const conv = /conv (\d+) turn/.exec(text);
      if (conv) {
        assert.equal(span.sessionId, `${marker}-session-${conv[1]}`);
        assert.equal(span.userId, `user-${conv[1]}`);
      } else {
        assert.equal(span.sessionId, null, "a call outside every context has no session");
        assert.equal(span.userId, null);
      }
    }
    assert.deepEqual(getZespanContext(), {});
  });
});
