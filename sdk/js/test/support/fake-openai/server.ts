import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseDirectives, textOf, type FakeDirectives } from "./directives.js";
import { chatCompletion, chatCompletionChunks } from "./chat.js";
import { responseObject, responseEvents } from "./responses.js";
import { embeddingResponse } from "./embeddings.js";
import { randomId } from "./replies.js";

/** One answered request, as the fake server saw and answered it. */
export interface FakeCall {
  path: string;
  request: Record<string, unknown>;
  status: number;
  stream: boolean;
  /** The usage object exactly as sent to the client (null when none was sent). */
  usage: Record<string, unknown> | null;
  model: string | null;
  /** The generated text (chat and responses). */
  text: string | null;
}

export interface GeneratedReply {
  model: string;
  text: string;
  usage: Record<string, unknown>;
}

/**
 * An OpenAI-compatible HTTP server for tests: `/v1/chat/completions` (JSON and SSE, with
 * `stream_options.include_usage`), `/v1/responses` (JSON and SSE events), `/v1/embeddings`
 * (float and base64), OpenAI error bodies, and slowness, all steered by `[fake:...]` directives.
 */
export class FakeOpenAIServer {
  readonly calls: FakeCall[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<import("node:net").Socket>();
  baseURL = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseURL = `http://127.0.0.1:${port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  callsTo(path: string): FakeCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0]!;
    const raw = await readBody(req);
    if (!/^Bearer \S+/.test(String(req.headers.authorization ?? ""))) {
      return sendError(res, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendError(res, 400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
    }
    const content = path === "/v1/chat/completions" ? textOf(request.messages) : textOf(request.input) + " " + textOf(request.instructions);
    const directives = parseDirectives(content);
    if (directives.delay) await sleep(directives.delay);
    if (res.destroyed) return;

    if (directives.status && directives.status >= 400) {
      this.calls.push({ path, request, status: directives.status, stream: request.stream === true, usage: null, model: null, text: null });
      const headers: Record<string, string> = directives.retryAfter !== undefined ? { "retry-after": String(directives.retryAfter) } : {};
      return sendError(res, directives.status, `Fake failure ${directives.status} requested by the test.`, errorType(directives.status), null, headers);
    }

    switch (path) {
      case "/v1/chat/completions":
        return request.stream === true ? this.streamChat(res, request, content, directives) : this.answerChat(res, request, content, directives);
      case "/v1/responses":
        return request.stream === true ? this.streamResponse(res, request, content, directives) : this.answerResponse(res, request, content, directives);
      case "/v1/embeddings": {
        const body = embeddingResponse(request);
        this.calls.push({ path, request, status: 200, stream: false, usage: body.usage, model: body.model, text: null });
        return sendJson(res, 200, body);
      }
      default:
        return sendError(res, 404, `Unknown path ${path}`, "invalid_request_error", "unknown_url");
    }
  }

  private answerChat(res: ServerResponse, request: Record<string, unknown>, content: string, directives: FakeDirectives): void {
    const completion = chatCompletion(request, content, directives);
    this.record("/v1/chat/completions", request, false, completion.reply, directives.stripUsage ? null : completion.reply.usage);
    sendJson(res, 200, withStrippedUsage(completion.body, directives));
  }

  private async streamChat(res: ServerResponse, request: Record<string, unknown>, content: string, directives: FakeDirectives): Promise<void> {
    const includeUsage = (request.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const { reply, chunks } = chatCompletionChunks(request, content, directives, includeUsage);
    this.record("/v1/chat/completions", request, true, reply, includeUsage ? reply.usage : null);
    await sendEvents(res, chunks.map((chunk) => ({ data: JSON.stringify(chunk) })), directives, true);
  }

  private answerResponse(res: ServerResponse, request: Record<string, unknown>, content: string, directives: FakeDirectives): void {
    const { reply, body } = responseObject(request, content, directives);
    this.record("/v1/responses", request, false, reply, directives.stripUsage ? null : reply.usage);
    sendJson(res, 200, withStrippedUsage(body, directives));
  }

  private async streamResponse(res: ServerResponse, request: Record<string, unknown>, content: string, directives: FakeDirectives): Promise<void> {
    const { reply, events } = responseEvents(request, content, directives);
    this.record("/v1/responses", request, true, reply, reply.usage);
    await sendEvents(res, events.map((event) => ({ event: event.type as string, data: JSON.stringify(event) })), directives, false);
  }

  private record(path: string, request: Record<string, unknown>, stream: boolean, reply: GeneratedReply, usage: Record<string, unknown> | null): void {
    this.calls.push({ path, request, status: 200, stream, usage, model: reply.model, text: reply.text });
  }
}

async function sendEvents(
  res: ServerResponse,
  events: { event?: string; data: string }[],
  directives: FakeDirectives,
  endWithDone: boolean,
): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": randomId("req_") });
  for (let i = 0; i < events.length; i++) {
    if (res.destroyed) return;
    if (directives.failAfterChunks !== undefined && i === directives.failAfterChunks) {
      res.end(`data: ${JSON.stringify({ error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null } })}\n\n`);
      return;
    }
    const { event, data } = events[i]!;
    res.write(`${event ? `event: ${event}\n` : ""}data: ${data}\n\n`);
    if (directives.chunkDelay) await sleep(directives.chunkDelay);
  }
  if (endWithDone) res.write("data: [DONE]\n\n");
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-request-id": randomId("req_"), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type, param: null, code } }, headers);
}

function errorType(status: number): string {
  if (status === 429) return "rate_limit_exceeded";
  if (status >= 500) return "server_error";
  if (status === 401) return "invalid_request_error";
  return "invalid_request_error";
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The body as a proxy that strips usage would pass it on (see `stripUsage`). */
function withStrippedUsage(body: object, directives: FakeDirectives): object {
  if (!directives.stripUsage) return body;
  const { usage: _dropped, ...rest } = body as Record<string, unknown>;
  if (directives.stripUsage === 2) return { ...rest, usage: {} };
  if (directives.stripUsage === 3) return { ...rest, usage: null };
  return rest;
}
