import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../..");

/** Where the suite finds the server: ZESPAN_SERVER_DLL, else the repository's build output. */
export function serverDllPath(): string {
  const path = process.env.ZESPAN_SERVER_DLL || join(REPO_ROOT, "artifacts", "server", "Zespan.Server.dll");
  if (!existsSync(path)) throw new Error("Zespan server not built: run scripts/build-server.sh");
  return path;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * A real Zespan server process on its own port and empty data folder. It can be stopped and
 * started again on the same port and data, to test an SDK that outlives a server outage.
 */
export class ZespanServerProcess {
  readonly apiKey = `zsp_sdkjs_${Math.random().toString(36).slice(2)}_0123456789`;
  readonly dataDir = mkdtempSync(join(tmpdir(), "zespan-sdkjs-"));
  port = 0;
  private child: ChildProcess | undefined;
  private output = "";

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const dll = serverDllPath();
    this.port ||= await freePort();
    this.output = "";
    const child = spawn("dotnet", [dll, "--urls", this.baseUrl], {
      env: {
        ...process.env,
        ZESPAN_DATA: this.dataDir,
        ZESPAN_API_KEY: this.apiKey,
        ZESPAN_ADMIN_PASSWORD: "sdk-js-tests-admin",
        DOTNET_NOLOGO: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`Zespan server exited with ${child.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`${this.baseUrl}/health`);
        if (response.status === 200) return this;
      } catch {
        // not listening yet
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    throw new Error(`Zespan server did not become healthy within 60 s:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolveExit) => child.once("exit", resolveExit));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** GET on the read API with this server's key; returns status and parsed body. */
  async get<T = unknown>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${this.apiKey}` } });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Polls `path` until `ready` accepts the answer; returns it. */
  async waitFor<T>(path: string, ready: (status: number, body: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: { status: number; body: T } | undefined;
    while (Date.now() < deadline) {
      last = await this.get<T>(path);
      if (ready(last.status, last.body)) return last.body;
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    throw new Error(`GET ${path} never became ready; last answer ${last?.status}: ${JSON.stringify(last?.body).slice(0, 2000)}`);
  }
}
