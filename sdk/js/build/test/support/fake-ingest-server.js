import { createServer } from "node:http";
/**
 * A stand-in for `POST /api/v1/ingest` for tests of the exporter's own behaviour (batching,
 * retries, 207, queue bounds). What it answers is decided per request by `reply`.
 */
export class FakeIngestServer {
    requests = [];
    /** Spans from requests answered with 2xx (for 207: minus the rejected ones). */
    stored = [];
    reply = () => ({ status: 200 });
    baseUrl = "";
    server;
    sockets = new Set();
    async start(port = 0) {
        this.server = createServer((req, res) => {
            const chunks = [];
            req.on("data", (chunk) => chunks.push(chunk));
            req.on("end", async () => {
                let batch = [];
                try {
                    batch = JSON.parse(Buffer.concat(chunks).toString("utf8")).batch;
                }
                catch {
                    res.writeHead(400, { "content-type": "application/problem+json" }).end(JSON.stringify({ title: "not a batch" }));
                    return;
                }
                const request = { headers: req.headers, batch, at: Date.now() };
                const index = this.requests.push(request) - 1;
                const reply = this.reply(request, index);
                if (reply.delayMs)
                    await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
                if (res.destroyed)
                    return;
                let body = reply.body;
                if (reply.status >= 200 && reply.status < 300) {
                    const rejected = new Set((reply.body?.errors ?? []).map((error) => error.index));
                    batch.forEach((span, i) => {
                        if (!rejected.has(i))
                            this.stored.push(span);
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
        await new Promise((resolve) => this.server.listen(port, "127.0.0.1", resolve));
        this.baseUrl = `http://127.0.0.1:${this.server.address().port}`;
        return this;
    }
    async stop() {
        for (const socket of this.sockets)
            socket.destroy();
        await new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
    /** Waits until `predicate` holds for the stored spans, or fails after `timeoutMs`. */
    async waitForStored(predicate, timeoutMs = 5000) {
        const deadline = Date.now() + timeoutMs;
        while (!predicate(this.stored)) {
            if (Date.now() > deadline)
                throw new Error(`timed out waiting for spans; have ${this.stored.length}`);
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return this.stored;
    }
}
