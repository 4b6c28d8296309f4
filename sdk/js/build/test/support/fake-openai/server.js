import { createServer } from "node:http";
import { parseDirectives, textOf } from "./directives.js";
import { chatCompletion, chatCompletionChunks } from "./chat.js";
import { responseObject, responseEvents } from "./responses.js";
import { embeddingResponse } from "./embeddings.js";
import { randomId } from "./replies.js";
/**
 * An OpenAI-compatible HTTP server for tests: `/v1/chat/completions` (JSON and SSE, with
 * `stream_options.include_usage`), `/v1/responses` (JSON and SSE events), `/v1/embeddings`
 * (float and base64), OpenAI error bodies, and slowness, all steered by `[fake:...]` directives.
 */
export class FakeOpenAIServer {
    calls = [];
    server;
    sockets = new Set();
    baseURL = "";
    async start() {
        this.server = createServer((req, res) => void this.handle(req, res));
        this.server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
        await new Promise((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        const { port } = this.server.address();
        this.baseURL = `http://127.0.0.1:${port}/v1`;
        return this;
    }
    async stop() {
        for (const socket of this.sockets)
            socket.destroy();
        await new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
    callsTo(path) {
        return this.calls.filter((call) => call.path === path);
    }
    async handle(req, res) {
        const path = (req.url ?? "").split("?")[0];
        const raw = await readBody(req);
        if (!/^Bearer \S+/.test(String(req.headers.authorization ?? ""))) {
            return sendError(res, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
        }
        let request;
        try {
            request = JSON.parse(raw);
        }
        catch {
            return sendError(res, 400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
        }
        const content = path === "/v1/chat/completions" ? textOf(request.messages) : textOf(request.input) + " " + textOf(request.instructions);
        const directives = parseDirectives(content);
        if (directives.delay)
            await sleep(directives.delay);
        if (res.destroyed)
            return;
        if (directives.status && directives.status >= 400) {
            this.calls.push({ path, request, status: directives.status, stream: request.stream === true, usage: null, model: null, text: null });
            const headers = directives.retryAfter !== undefined ? { "retry-after": String(directives.retryAfter) } : {};
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
    answerChat(res, request, content, directives) {
        const completion = chatCompletion(request, content, directives);
        this.record("/v1/chat/completions", request, false, completion.reply, completion.reply.usage);
        sendJson(res, 200, completion.body);
    }
    async streamChat(res, request, content, directives) {
        const includeUsage = request.stream_options?.include_usage === true;
        const { reply, chunks } = chatCompletionChunks(request, content, directives, includeUsage);
        this.record("/v1/chat/completions", request, true, reply, includeUsage ? reply.usage : null);
        await sendEvents(res, chunks.map((chunk) => ({ data: JSON.stringify(chunk) })), directives, true);
    }
    answerResponse(res, request, content, directives) {
        const { reply, body } = responseObject(request, content, directives);
        this.record("/v1/responses", request, false, reply, reply.usage);
        sendJson(res, 200, body);
    }
    async streamResponse(res, request, content, directives) {
        const { reply, events } = responseEvents(request, content, directives);
        this.record("/v1/responses", request, true, reply, reply.usage);
        await sendEvents(res, events.map((event) => ({ event: event.type, data: JSON.stringify(event) })), directives, false);
    }
    record(path, request, stream, reply, usage) {
        this.calls.push({ path, request, status: 200, stream, usage, model: reply.model, text: reply.text });
    }
}
async function sendEvents(res, events, directives, endWithDone) {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": randomId("req_") });
    for (let i = 0; i < events.length; i++) {
        if (res.destroyed)
            return;
        if (directives.failAfterChunks !== undefined && i === directives.failAfterChunks) {
            res.end(`data: ${JSON.stringify({ error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null } })}\n\n`);
            return;
        }
        const { event, data } = events[i];
        res.write(`${event ? `event: ${event}\n` : ""}data: ${data}\n\n`);
        if (directives.chunkDelay)
            await sleep(directives.chunkDelay);
    }
    if (endWithDone)
        res.write("data: [DONE]\n\n");
    res.end();
}
function sendJson(res, status, body, headers = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-request-id": randomId("req_"), ...headers });
    res.end(text);
}
function sendError(res, status, message, type, code, headers = {}) {
    sendJson(res, status, { error: { message, type, param: null, code } }, headers);
}
function errorType(status) {
    if (status === 429)
        return "rate_limit_exceeded";
    if (status >= 500)
        return "server_error";
    if (status === 401)
        return "invalid_request_error";
    return "invalid_request_error";
}
function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on("data", (chunk) => chunks.push(chunk));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
