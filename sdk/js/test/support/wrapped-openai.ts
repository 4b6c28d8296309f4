import { after, before } from "node:test";
import OpenAI from "openai";
import { zespan } from "@zespan/sdk";
import { FakeOpenAIServer } from "./fake-openai/server.js";
import { FakeIngestServer } from "./fake-ingest-server.js";
import { TEST_API_KEY } from "./spans.js";

/** What a test file gets from {@link useWrappedOpenAI}; `raw` and `openai` exist once its `before` hook has run. */
export interface WrappedOpenAIFixture {
  fakeOpenAI: FakeOpenAIServer;
  ingest: FakeIngestServer;
  /** The plain client, for comparing against the wrapped one. */
  raw: OpenAI;
  /** The same client wrapped by `zespan.wrapOpenAI`. */
  openai: OpenAI;
}

/**
 * The set-up most SDK tests share: the fake OpenAI server and the fake ingest endpoint started, the global SDK
 * exporting to that endpoint every 20 ms, and a raw and a wrapped OpenAI client. Registers its own before/after hooks
 * and calls `onReady` at the end of its `before` hook (root hooks of separate calls are not ordered reliably on Node 20).
 */
export function useWrappedOpenAI(onReady?: (fixture: WrappedOpenAIFixture) => void): WrappedOpenAIFixture {
  const fixture = { fakeOpenAI: new FakeOpenAIServer(), ingest: new FakeIngestServer() } as WrappedOpenAIFixture;
  before(async () => {
    await Promise.all([fixture.fakeOpenAI.start(), fixture.ingest.start()]);
    zespan.init({ apiKey: TEST_API_KEY, baseUrl: fixture.ingest.baseUrl, flushIntervalMs: 20 });
    fixture.raw = new OpenAI({ apiKey: "sk-test", baseURL: fixture.fakeOpenAI.baseURL, maxRetries: 0 });
    fixture.openai = zespan.wrapOpenAI(fixture.raw);
    onReady?.(fixture);
  });
  after(async () => {
    await zespan.shutdown();
    await Promise.all([fixture.fakeOpenAI.stop(), fixture.ingest.stop()]);
  });
  return fixture;
}
