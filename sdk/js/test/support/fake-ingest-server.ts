import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ReceivedSpan {
  id: string;
  traceId: string;
  parentId: string | null;
  sessionId: string | null;
  userId: string | null;
  name: string;
  kind: string;
  model?: string | null;
  provider?: string | null;
  startTime: string;
  endTime: string;
  usage?: { inputTokens: number; outputTokens: number; cachedInputTokens: number; reasoningTokens: number } | null;
  status: string;
  error?: string | null;
  input?: unknown;
  output?: unknown;
  metadata: Record<string, unknown>;
  tags: string[];
}

export interface IngestRequest {
  headers: IncomingHttpHeaders;
  batch: ReceivedSpan[];
  /** When the request arrived (ms since epoch). */
  at: number;
}

export interface IngestReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** ms to wait before answering. */
  delayMs?: number;
}

/**
 * A stand-in for `POST /api/v1/ingest` for tests of the exporter's own behaviour (batching,
 * retries, 207, queue bounds). What it answers is decided per request by `reply`.
 */
export class FakeIngestServer {
  readonly requests: IngestRequest[] = [];
  /** Spans from requests answered with 2xx (for 207: minus the rejected ones). */
  readonly stored: ReceivedSpan[] = [];
  reply: (request: IngestRequest, index: number) => IngestReply = () => ({ status: 200 });
  baseUrl = "";
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", async () => {
        let batch: ReceivedSpan[] = [];
        try {
          batch = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { batch: ReceivedSpan[] }).batch;
        } catch {
          res.writeHead(400, { "content-type": "application/problem+json" }).end(JSON.stringify({ title: "not a batch" }));
          return;
        }
        const request: IngestRequest = { headers: req.headers, batch, at: Date.now() };
        const index = this.requests.push(request) - 1;
        const reply = this.reply(request, index);
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (res.destroyed) return;
        let body = reply.body;
        if (reply.status >= 200 && reply.status < 300) {
          const rejected = new Set(
            ((reply.body as { errors?: { index: number }[] } | undefined)?.errors ?? []).map((error) => error.index),
          );
          batch.forEach((span, i) => {
            if (!rejected.has(i)) this.stored.push(span);
          });
          body ??= { accepted: batch.length, errors: [] };
        }
        const text = body === undefined ? "" : JSON.stringify(body);
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(text);
      });
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Waits until `predicate` holds for the stored spans, or fails after `timeoutMs`. */
  async waitForStored(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 15_000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.stored)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for spans; have ${this.stored.length}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.stored;
  }
}
