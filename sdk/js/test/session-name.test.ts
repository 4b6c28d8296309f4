import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { Zespan, withZespanContext } from "@zespan/sdk";
import { FakeOpenAIServer } from "./support/fake-openai/server.js";
import { ZespanServerProcess } from "./support/zespan-server.js";
import { uniqueMarker } from "./support/spans.js";

interface SessionList {
  data: { sessionId: string; name: string | null; turns: number }[];
}

const fakeOpenAI = new FakeOpenAIServer();
const server = new ZespanServerProcess();

before(async () => {
  await Promise.all([fakeOpenAI.start(), server.start()]);
});

after(async () => {
  await Promise.all([fakeOpenAI.stop(), server.dispose()]);
});

describe("sessionName against a real Zespan server", () => {
  test("a name given in the context is the session's name in the sessions list; without one the first user message is", async () => {
    const sdk = new Zespan();
    sdk.init({ apiKey: server.apiKey, baseUrl: server.baseUrl, flushIntervalMs: 20 });
    const client = sdk.wrapOpenAI(new OpenAI({ apiKey: "sk-test", baseURL: fakeOpenAI.baseURL, maxRetries: 0 }));
    const named = uniqueMarker("named");
    const unnamed = uniqueMarker("unnamed");
    const ask = (content: string) => client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content }] });

    await withZespanContext({ sessionId: named, sessionName: "Refund <for> order #1234" }, async () => {
      await ask("Hello, where is my refund?");
      await ask("It has been a week.");
    });
    await withZespanContext({ sessionId: unnamed }, () => ask("Which plan suits a team of five?"));
    await sdk.shutdown();

    const list = await server.waitFor<SessionList>(
      `/api/v1/sessions?q=${encodeURIComponent(named)}`,
      (status, body) => status === 200 && body.data.some((s) => s.sessionId === named && s.turns === 2),
    );
    assert.equal(list.data.find((s) => s.sessionId === named)?.name, "Refund <for> order #1234");
    const other = await server.waitFor<SessionList>(
      `/api/v1/sessions?q=${encodeURIComponent(unnamed)}`,
      (status, body) => status === 200 && body.data.length === 1,
    );
    assert.equal(other.data[0]!.name, "Which plan suits a team of five?");

    const byName = await server.get<SessionList>(`/api/v1/sessions?q=${encodeURIComponent("order #1234")}`);
    assert.deepEqual(byName.body.data.map((s) => s.sessionId), [named], "q= finds the session by the name the SDK sent");
  });
});
