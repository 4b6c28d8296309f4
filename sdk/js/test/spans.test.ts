import { describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { withZespanContext, zespan } from "@zespan/sdk";
import { useWrappedOpenAI } from "./support/wrapped-openai.js";
import { spanMentioning, uniqueMarker } from "./support/spans.js";

let openai: OpenAI;
const fixture = useWrappedOpenAI((ready) => ({ openai } = ready));
const { ingest } = fixture;

const ask = (content: string) => openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content }] });

describe("zespan.span", () => {
  test("LLM calls inside a span join its trace as its children, nested spans too", async () => {
    const marker = uniqueMarker("trace");
    const result = await withZespanContext({ sessionId: `${marker}-s`, userId: "span-user" }, () =>
      zespan.span(`${marker}-root`, async (root) => {
        await ask(`${marker} first`);
        await zespan.span(`${marker}-child`, async () => {
          await Promise.all([ask(`${marker} second`), ask(`${marker} third`)]);
        });
        root.setOutput({ answered: true });
        return "result of fn";
      }),
    );
    assert.equal(result, "result of fn");
    const root = await spanMentioning(ingest, `${marker}-root`);
    const child = await spanMentioning(ingest, `${marker}-child`);
    const first = await spanMentioning(ingest, `${marker} first`);
    const second = await spanMentioning(ingest, `${marker} second`);
    const third = await spanMentioning(ingest, `${marker} third`);
    assert.equal(root.kind, "span");
    assert.equal(root.parentId, null);
    assert.deepEqual(root.output, { answered: true });
    assert.equal(root.sessionId, `${marker}-s`);
    for (const span of [child, first, second, third]) assert.equal(span.traceId, root.traceId);
    assert.equal(first.parentId, root.id);
    assert.equal(child.parentId, root.id);
    assert.equal(second.parentId, child.id);
    assert.equal(third.parentId, child.id);
    assert.equal(third.userId, "span-user");
    assert.ok(Date.parse(root.endTime) >= Date.parse(third.endTime), "the root ends after its children");
  });

  test("separate root calls get separate traces", async () => {
    const marker = uniqueMarker("roots");
    await ask(`${marker} a`);
    await ask(`${marker} b`);
    const a = await spanMentioning(ingest, `${marker} a`);
    const b = await spanMentioning(ingest, `${marker} b`);
    assert.notEqual(a.traceId, b.traceId);
    assert.notEqual(a.id, b.id);
  });

  test("a failing function ends its span with status error and the error still reaches the caller", async () => {
    const marker = uniqueMarker("failing-span");
    await assert.rejects(
      zespan.span(marker, async () => {
        throw new TypeError("boom");
      }),
      TypeError,
    );
    assert.throws(() => zespan.span(`${marker}-sync`, () => {
      throw new RangeError("sync boom");
    }), RangeError);
    const span = await spanMentioning(ingest, `${marker}"`);
    assert.equal(span.status, "error");
    assert.equal(span.error, "boom");
    assert.equal((await spanMentioning(ingest, `${marker}-sync`)).error, "sync boom");
  });

  test("a synchronous function's value is returned as is, not wrapped in a promise", () => {
    const value = zespan.span("sync-span", () => 7);
    assert.equal(value, 7);
  });

  test("options.input and options.metadata are recorded", async () => {
    const marker = uniqueMarker("span-options");
    await zespan.span(marker, async () => undefined, { input: { question: "why" }, metadata: { step: 2 } });
    const span = await spanMentioning(ingest, marker);
    assert.deepEqual(span.input, { question: "why" });
    assert.equal(span.metadata.step, 2);
  });
});
