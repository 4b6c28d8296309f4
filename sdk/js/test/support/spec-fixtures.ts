import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import assert from "node:assert/strict";

/** The shared fixtures of docs/sdk-spec.md, read from sdk/spec/fixtures (the build runs from sdk/js/build/test). */
export const SPEC_FIXTURES_DIR = new URL("../../../../spec/fixtures/", import.meta.url);

export interface PayloadFixture {
  file: string;
  description: string;
  context: { sessionId: string | null; userId: string | null; tags: string[]; metadata: Record<string, unknown> };
  call: { api: "chat.completions.create" | "embeddings.create" | "responses.create"; params: Record<string, unknown>; leaveAfterEvents?: number };
  response: { status: number; json?: unknown; sse?: unknown[]; holdOpen?: boolean };
  expectedSpan: Record<string, unknown>;
  absentMetadata?: string[];
}

export function payloadFixtures(): PayloadFixture[] {
  return readdirSync(SPEC_FIXTURES_DIR)
    .filter((file) => file.endsWith(".json") && file !== "sampling.json")
    .sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(new URL(file, SPEC_FIXTURES_DIR), "utf8")) }) as PayloadFixture);
}

export interface SamplingFixture {
  rule: string;
  rates: number[];
  vectors: { key: string; utf8Hex: string; hash: number; hashHex: string; sampled: Record<string, boolean> }[];
}

export function samplingFixture(): SamplingFixture {
  return JSON.parse(readFileSync(new URL("sampling.json", SPEC_FIXTURES_DIR), "utf8")) as SamplingFixture;
}

/** Answers every request with one fixture's canned OpenAI response, as JSON or as server-sent events. */
export class FixtureOpenAIServer {
  private server: Server | undefined;
  baseURL = "";
  response: PayloadFixture["response"] = { status: 200, json: {} };

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const response = this.response;
        if (response.sse) {
          res.writeHead(response.status, { "content-type": "text/event-stream" });
          for (const event of response.sse) res.write(`data: ${typeof event === "string" ? event : JSON.stringify(event)}\n\n`);
          if (!response.holdOpen) res.end();   // held open: only the caller leaving ends this stream
        } else {
          res.writeHead(response.status, { "content-type": "application/json" });
          res.end(JSON.stringify(response.json));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseURL = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const PLACEHOLDERS: Record<string, (value: unknown) => boolean> = {
  "<span-id>": (v) => typeof v === "string" && /^[0-9a-f]{16}$/.test(v),
  "<trace-id>": (v) => typeof v === "string" && /^[0-9a-f]{32}$/.test(v),
  "<timestamp>": (v) => typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v),
  "<number>": (v) => typeof v === "number" && Number.isFinite(v) && v >= 0,
};

/**
 * The comparison rule of sdk/spec/fixtures/README.md: every field of the expected span equals the payload's
 * (placeholders match by shape); a top-level field the fixture leaves out is absent or null in the payload;
 * `metadata` may hold more keys than the fixture lists, but every listed one is equal.
 */
export function assertMatchesFixture(actual: Record<string, unknown>, fixture: Pick<PayloadFixture, "expectedSpan" | "absentMetadata">, label: string): void {
  const expected = fixture.expectedSpan;
  for (const [key, want] of Object.entries(expected)) {
    if (key === "metadata") continue;
    assertValue(actual[key], want, `${label}: ${key}`);
  }
  for (const key of Object.keys(actual)) {
    if (!(key in expected)) assert.equal(actual[key] ?? null, null, `${label}: ${key} is not in the fixture, so must be absent or null`);
  }
  const metadata = (actual.metadata ?? {}) as Record<string, unknown>;
  for (const [key, want] of Object.entries(expected.metadata as Record<string, unknown>)) {
    assertValue(metadata[key], want, `${label}: metadata.${key}`);
  }
  for (const key of fixture.absentMetadata ?? []) assert.ok(!(key in metadata), `${label}: metadata.${key} must be absent`);
  assert.ok(Date.parse(actual.endTime as string) >= Date.parse(actual.startTime as string), `${label}: endTime before startTime`);
}

function assertValue(actual: unknown, want: unknown, label: string): void {
  if (typeof want === "string" && want in PLACEHOLDERS) {
    assert.ok(PLACEHOLDERS[want]!(actual), `${label}: ${JSON.stringify(actual)} does not match ${want}`);
  } else {
    assert.deepEqual(actual, want, label);
  }
}
