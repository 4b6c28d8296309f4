import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { Zespan, zespan, withZespanContext } from "@zespan/sdk";
import { FakeIngestServer } from "./support/fake-ingest-server.js";
import { TEST_API_KEY } from "./support/spans.js";
import { assertMatchesFixture, FixtureOpenAIServer, payloadFixtures, samplingFixture } from "./support/spec-fixtures.js";

describe("sampling rule of docs/sdk-spec.md (sdk/spec/fixtures/sampling.json)", () => {
  const fixture = samplingFixture();
  const ingest = new FakeIngestServer();
  before(async () => void (await ingest.start()));
  after(async () => ingest.stop());

  test("the fixture's UTF-8 bytes are the keys' (the hash runs over them)", () => {
    assert.equal(fixture.rule, "zespan-fnv1a32-fmix32");
    for (const vector of fixture.vectors) assert.equal(Buffer.from(vector.key, "utf8").toString("hex"), vector.utf8Hex);
  });

  for (const rate of [0, ...fixture.rates, 1]) {
    test(`a session is recorded exactly when the fixture says so, at sampleRate ${rate}`, async () => {
      const sdk = new Zespan();
      sdk.init({ apiKey: TEST_API_KEY, baseUrl: ingest.baseUrl, flushIntervalMs: 20, sampleRate: rate });
      const marker = `sampling-${rate}-`;
      fixture.vectors.forEach((vector, index) =>
        withZespanContext({ sessionId: vector.key }, () => sdk.span(`${marker}${index}`, () => undefined)),
      );
      await sdk.shutdown();
      const recorded = new Set(ingest.stored.filter((span) => span.name.startsWith(marker)).map((span) => span.sessionId));
      for (const vector of fixture.vectors) {
        const expected = rate === 0 ? false : rate === 1 ? true : vector.sampled[String(rate)];
        assert.equal(recorded.has(vector.key), expected, `session ${JSON.stringify(vector.key)} at ${rate}`);
      }
    });
  }
});

describe("span payloads match the golden fixtures (sdk/spec/fixtures/*.json)", () => {
  const openaiServer = new FixtureOpenAIServer();
  const ingest = new FakeIngestServer();
  // Both recorders must send the same payload: the wrapped client, and the recording fetch given to a plain client.
  const clients: Record<string, OpenAI> = {};
  before(async () => {
    await Promise.all([openaiServer.start(), ingest.start()]);
    zespan.init({ apiKey: TEST_API_KEY, baseUrl: ingest.baseUrl, flushIntervalMs: 20 });
    clients.wrapOpenAI = zespan.wrapOpenAI(new OpenAI({ apiKey: "sk-test", baseURL: openaiServer.baseURL, maxRetries: 0 }));
    clients.wrapFetch = new OpenAI({ apiKey: "sk-test", baseURL: openaiServer.baseURL, maxRetries: 0, fetch: zespan.wrapFetch() });
  });
  after(async () => {
    await zespan.shutdown();
    await Promise.all([openaiServer.stop(), ingest.stop()]);
  });

  const fixtures = payloadFixtures();
  test("there are fixtures for chat, a stream without usage, a stream left early, an error and embeddings", () => {
    assert.deepEqual(fixtures.map((f) => f.file), ["chat.json", "embeddings.json", "error.json", "stream-ended-early.json", "stream-without-usage.json"]);
  });

  for (const fixture of fixtures) for (const recorder of ["wrapOpenAI", "wrapFetch"]) {
    test(`${fixture.file} through ${recorder}: ${fixture.description.split(":")[0]}`, async () => {
      const client = clients[recorder]!;
      openaiServer.response = fixture.response;
      const before = ingest.stored.length;
      const { sessionId, userId, tags, metadata } = fixture.context;
      await withZespanContext({ sessionId: sessionId ?? undefined, userId: userId ?? undefined, tags, metadata }, async () => {
        try {
          const result = await call(client, fixture.call.api, fixture.call.params);
          if (result && typeof result === "object" && Symbol.asyncIterator in result) {
            let events = 0;
            for await (const _chunk of result as AsyncIterable<unknown>) {
              if (++events === fixture.call.leaveAfterEvents) break;   // else read to the end
            }
          }
        } catch (error) {
          if (fixture.response.status < 400) throw error;
        }
      });
      await zespan.flush();
      const spans = ingest.stored.slice(before);
      assert.equal(spans.length, 1, `${fixture.file}: one span recorded`);
      assertMatchesFixture(spans[0] as unknown as Record<string, unknown>, fixture, `${fixture.file} through ${recorder}`);
    });
  }
});

function call(client: OpenAI, api: string, params: Record<string, unknown>): Promise<unknown> {
  switch (api) {
    case "chat.completions.create":
      return client.chat.completions.create(params as never) as Promise<unknown>;
    case "embeddings.create":
      return client.embeddings.create(params as never) as Promise<unknown>;
    case "responses.create":
      return client.responses.create(params as never) as Promise<unknown>;
    default:
      throw new Error(`fixture names an unknown api ${api}`);
  }
}
