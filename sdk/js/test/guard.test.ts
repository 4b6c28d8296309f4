import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { withZespanContext, Zespan } from "@zespan/sdk";
import { FakeOpenAIServer } from "./support/fake-openai/server.js";
import { ZespanServerProcess } from "./support/zespan-server.js";

// The guard rule needs a webhook; the receiver does not matter here (deliveries may fail), only the recorded crossing.
// The target is on loopback, so the server must allow private targets.
process.env.ZESPAN_WEBHOOK_ALLOW_PRIVATE = "true";

const fakeOpenAI = new FakeOpenAIServer();
const server = new ZespanServerProcess();
let openai: OpenAI;
let sdk: Zespan;

before(async () => {
  await Promise.all([fakeOpenAI.start(), server.start()]);
  sdk = new Zespan();
  sdk.init({ apiKey: server.apiKey, baseUrl: server.baseUrl, flushAt: 1, flushIntervalMs: 20 });
  openai = sdk.wrapOpenAI(new OpenAI({ apiKey: "sk-test", baseURL: fakeOpenAI.baseURL, maxRetries: 0 }));
  const rule = await fetch(`${server.baseUrl}/api/v1/alerts/rules`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Too many turns", kind: "session_turns", thresholdTurns: 2, webhookUrl: "http://127.0.0.1:9/hook" }),
  });
  assert.equal(rule.status, 201, await rule.text());
});

after(async () => {
  await sdk.shutdown();
  await Promise.all([fakeOpenAI.stop(), server.dispose()]);
});

async function turns(sessionId: string, count: number): Promise<void> {
  await withZespanContext({ sessionId }, async () => {
    for (let i = 0; i < count; i++) await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: `${sessionId} ${i}` }] });
  });
  await sdk.flush();
}

describe("zespan.guard(sessionId)", () => {
  test("says stop once the session crossed a rule, with the rule and figure", async () => {
    await turns("guard-runaway", 3);
    let state = await sdk.guard("guard-runaway");
    for (let i = 0; i < 200 && !state.stop; i++) {
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      state = await sdk.guard("guard-runaway");
    }
    assert.equal(state.stop, true, JSON.stringify(state));
    assert.equal(state.error, undefined);
    assert.equal(state.crossed.length, 1);
    assert.deepEqual(
      { ruleName: state.crossed[0]!.ruleName, kind: state.crossed[0]!.kind, subject: state.crossed[0]!.subject, figure: state.crossed[0]!.figure },
      { ruleName: "Too many turns", kind: "session_turns", subject: "session", figure: "3 turns" },
    );
  });

  test("a session under every rule, or not recorded yet, is not stopped", async () => {
    await turns("guard-calm", 2);
    await server.waitFor<{ session: { turns: number } }>("/api/v1/sessions/guard-calm", (status, body) => status === 200 && body.session.turns === 2);
    assert.deepEqual(await sdk.guard("guard-calm"), { sessionId: "guard-calm", userId: null, stop: false, crossed: [] });
    assert.deepEqual(await sdk.guard("never-seen"), { sessionId: "never-seen", userId: null, stop: false, crossed: [] });
  });

  test("never throws: a wrong key or an unreachable server answers stop false with the error", async () => {
    const wrongKey = new Zespan();
    wrongKey.init({ apiKey: "zsp_wrong_key_0123456789abcdef", baseUrl: server.baseUrl });
    const refused = await wrongKey.guard("guard-runaway");
    assert.equal(refused.stop, false);
    assert.match(refused.error ?? "", /HTTP 401/);
    await wrongKey.shutdown();

    const nowhere = new Zespan();
    nowhere.init({ apiKey: server.apiKey, baseUrl: "http://127.0.0.1:9" });
    const down = await nowhere.guard("guard-runaway", { timeoutMs: 2000 });
    assert.equal(down.stop, false);
    assert.ok(down.error, "an unreachable server reports an error");
    await nowhere.shutdown();
  });
});
