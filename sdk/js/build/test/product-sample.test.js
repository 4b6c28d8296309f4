import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeOpenAIServer } from "./support/fake-openai/server.js";
import { ZespanServerProcess } from "./support/zespan-server.js";
import { runProductSample } from "./support/run-sample.js";
import { expectedCostUsd } from "./support/pricing.js";
import { uniqueMarker } from "./support/spans.js";
const fakeOpenAI = new FakeOpenAIServer();
const server = new ZespanServerProcess();
before(async () => {
    await Promise.all([fakeOpenAI.start(), server.start()]);
});
after(async () => {
    await Promise.all([fakeOpenAI.stop(), server.dispose()]);
});
const sampleEnv = () => ({ ZESPAN_API_KEY: server.apiKey, ZESPAN_BASE_URL: server.baseUrl, OPENAI_BASE_URL: fakeOpenAI.baseURL });
function callsMentioning(marker) {
    return fakeOpenAI.callsTo("/v1/chat/completions").filter((call) => JSON.stringify(call.request.messages).includes(marker));
}
function waitForTurns(sessionId, turns) {
    return server.waitFor(`/api/v1/sessions/${encodeURIComponent(sessionId)}`, (status, body) => status === 200 && body.session.turns >= turns);
}
describe("the product page's sample against a real Zespan server", () => {
    test("a conversation becomes one session whose turns, tokens, cost and status match what OpenAI returned", async () => {
        const marker = uniqueMarker("sample");
        const turns = [
            { userId: "user-ada", message: `${marker} Hello, I need help with my order` },
            { userId: "user-ada", message: `${marker} It has not arrived [fake:cached=6]` },
            { userId: "user-ada", message: `${marker} Order 1234, placed last week [fake:words=20]` },
        ];
        const run = await runProductSample(sampleEnv(), turns);
        assert.equal(run.exitCode, 0, run.stderr);
        assert.ok(run.replies.every((reply) => reply.ok), JSON.stringify(run.replies));
        const calls = callsMentioning(marker);
        assert.equal(calls.length, 3);
        assert.deepEqual(run.replies.map((reply) => reply.content), calls.map((call) => call.text), "the sample returned what OpenAI said");
        const detail = await waitForTurns(run.sessionId, 3);
        const usages = calls.map((call) => call.usage);
        const sum = (pick) => usages.reduce((total, usage) => total + pick(usage), 0);
        const expectedCost = usages.reduce((total, usage) => total + expectedCostUsd("gpt-4o", usage), 0);
        assert.equal(detail.session.sessionId, run.sessionId);
        assert.equal(detail.session.userId, "user-ada");
        assert.equal(detail.session.turns, 3);
        assert.equal(detail.session.inputTokens, sum((usage) => usage.prompt_tokens));
        assert.equal(detail.session.outputTokens, sum((usage) => usage.completion_tokens));
        assert.equal(detail.session.totalTokens, sum((usage) => usage.prompt_tokens + usage.completion_tokens));
        assert.ok(Math.abs((detail.session.costUsd ?? NaN) - expectedCost) < 1e-9, `cost ${detail.session.costUsd} vs ${expectedCost}`);
        assert.equal(detail.session.status, "ok");
        assert.equal(detail.session.errorCount, 0);
        assert.equal(detail.timeline.length, 3);
        detail.timeline.forEach((entry, i) => {
            assert.equal(entry.name, "chat.completions.create");
            assert.equal(entry.model, "gpt-4o-2024-08-06");
            assert.equal(entry.inputTokens, usages[i].prompt_tokens, `turn ${i} in chronological order`);
            assert.equal(entry.outputTokens, usages[i].completion_tokens);
            assert.ok(Math.abs((entry.costUsd ?? NaN) - expectedCostUsd("gpt-4o", usages[i])) < 1e-9);
        });
        assert.equal(new Set(detail.timeline.map((entry) => entry.traceId)).size, 3, "each call outside a span is its own trace");
    });
    test("a failed turn marks the session as errored and keeps the other turns' figures", async () => {
        const marker = uniqueMarker("sample-error");
        const turns = [
            { userId: "user-bo", message: `${marker} first question` },
            { userId: "user-bo", message: `${marker} this one fails [fake:status=400]` },
            { userId: "user-bo", message: `${marker} third question` },
        ];
        const run = await runProductSample(sampleEnv(), turns);
        assert.equal(run.exitCode, 0, run.stderr);
        assert.deepEqual(run.replies.map((reply) => reply.ok), [true, false, true]);
        assert.match(run.replies[1].error ?? "", /400/);
        const calls = callsMentioning(marker).filter((call) => call.status === 200);
        const detail = await waitForTurns(run.sessionId, 3);
        assert.equal(detail.session.status, "error");
        assert.equal(detail.session.errorCount, 1);
        assert.equal(detail.session.turns, 3);
        assert.equal(detail.session.inputTokens, calls.reduce((total, call) => total + call.usage.prompt_tokens, 0));
        const failed = detail.timeline[1];
        assert.equal(failed.status, "error");
        assert.match(failed.error ?? "", /400 Fake failure 400/);
        const expectedCost = calls.reduce((total, call) => total + expectedCostUsd("gpt-4o", call.usage), 0);
        assert.ok(Math.abs((detail.session.costUsd ?? NaN) - expectedCost) < 1e-9);
    });
    test("concurrent conversations in separate processes and within one process never mix", async () => {
        const markers = [uniqueMarker("conv-a"), uniqueMarker("conv-b"), uniqueMarker("conv-c")];
        const runs = await Promise.all(markers.map((marker, i) => runProductSample(sampleEnv(), Array.from({ length: 4 }, (_, turn) => ({ userId: `user-${i}-${turn % 2}`, message: `${marker} turn ${turn} [fake:delay=${(turn * 17 + i * 11) % 40}]` })), 
        // One of the processes sends its turns all at once.
        i === 2 ? "concurrent" : "sequential")));
        for (const [i, run] of runs.entries()) {
            assert.equal(run.exitCode, 0, run.stderr);
            const calls = callsMentioning(markers[i]);
            assert.equal(calls.length, 4);
            const detail = await waitForTurns(run.sessionId, 4);
            assert.equal(detail.session.turns, 4, "no turn of another conversation joined this session");
            assert.equal(detail.session.inputTokens, calls.reduce((total, call) => total + call.usage.prompt_tokens, 0));
            assert.equal(detail.session.outputTokens, calls.reduce((total, call) => total + call.usage.completion_tokens, 0));
            assert.match(detail.session.userId ?? "", new RegExp(`^user-${i}-[01]$`));
            const trace = await server.get(`/api/v1/traces/${detail.timeline[0].traceId}`);
            assert.equal(trace.status, 200);
            assert.equal(trace.body.spans[0].sessionId, run.sessionId);
            assert.ok(trace.body.spans[0].input[0].content.includes(markers[i]));
        }
        assert.equal(new Set(runs.map((run) => run.sessionId)).size, 3);
    });
});
