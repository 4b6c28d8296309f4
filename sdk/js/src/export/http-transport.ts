import * as http from "node:http";
import * as https from "node:https";
import type { Socket } from "node:net";

export interface HttpResult {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/**
 * POSTs one JSON body with Node's own http client. The SDK does not use global fetch so that
 * exporting never shares a connection pool (or a fetch mock) with the OpenAI client it observes.
 *
 * Sockets are unref'd unless someone is waiting for a flush: a background export must never be
 * the reason an application's process stays alive.
 */
export class HttpTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 2 });
  private readonly activeSockets = new Set<Socket>();
  private holdingProcess = false;

  constructor(private readonly userAgent: string) {}

  /** While true, in-flight requests keep the process alive (someone awaits a flush). */
  holdProcess(hold: boolean): void {
    this.holdingProcess = hold;
    for (const socket of this.activeSockets) {
      if (hold) socket.ref();
      else socket.unref();
    }
  }

  post(url: URL, apiKey: string, body: Buffer, timeoutMs: number): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const isHttps = url.protocol === "https:";
      const request = (isHttps ? https : http).request(url, {
        method: "POST",
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          authorization: `Bearer ${apiKey}`,
          "user-agent": this.userAgent,
        },
      });
      let socket: Socket | undefined;
      const settle = () => {
        if (socket) this.activeSockets.delete(socket);
      };
      request.on("socket", (assigned: Socket) => {
        socket = assigned;
        this.activeSockets.add(assigned);
        // The agent re-refs a reused keep-alive socket; undo that unless a flush is waiting.
        if (!this.holdingProcess) assigned.unref();
      });
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`ingest request timed out after ${timeoutMs} ms`)));
      request.on("error", (error) => {
        settle();
        reject(error);
      });
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => {
          settle();
          reject(error);
        });
        response.on("end", () => {
          settle();
          const retryAfter = response.headers["retry-after"];
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
