import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type ProxyMode = { kind: "pass" } | { kind: "fail"; status: number } | { kind: "slow"; delayMs: number };

/**
 * Sits between the SDK and a real Zespan server and misbehaves on demand: answers with an
 * error status, or forwards only after a delay. Counts what it did.
 */
export class FaultyProxy {
  mode: ProxyMode = { kind: "pass" };
  readonly seen = { forwarded: 0, failed: 0 };
  baseUrl = "";
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", async () => {
        const mode = this.mode;
        if (mode.kind === "fail") {
          this.seen.failed++;
          res.writeHead(mode.status, { "content-type": "application/problem+json" });
          res.end(JSON.stringify({ title: "injected failure", status: mode.status }));
          return;
        }
        if (mode.kind === "slow") await new Promise((resolve) => setTimeout(resolve, mode.delayMs));
        try {
          const upstream = await fetch(`${this.target}${req.url}`, {
            method: req.method,
            headers: { "content-type": String(req.headers["content-type"] ?? "application/json"), authorization: String(req.headers.authorization ?? "") },
            body: req.method === "GET" ? undefined : Buffer.concat(chunks),
          });
          this.seen.forwarded++;
          const body = Buffer.from(await upstream.arrayBuffer());
          if (res.destroyed) return;
          res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
          res.end(body);
        } catch {
          res.destroy();
        }
      });
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
