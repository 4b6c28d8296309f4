// A real Zespan server process (the build in artifacts/server, or ZESPAN_SERVER_DLL) on a free port and empty data folder.
const { spawn } = require("node:child_process");
const { existsSync, mkdtempSync, rmSync } = require("node:fs");
const net = require("node:net");
const { tmpdir } = require("node:os");
const path = require("node:path");

const freePort = () => new Promise((resolve, reject) => {
  const probe = net.createServer();
  probe.once("error", reject);
  probe.listen(0, "127.0.0.1", () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
});

async function startZespan() {
  const dll = process.env.ZESPAN_SERVER_DLL || path.resolve(__dirname, "../../../../artifacts/server/Zespan.Server.dll");
  if (!existsSync(dll)) throw new Error("Zespan server not built: run scripts/build-server.sh");
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "zespan-otel-js-"));
  const apiKey = `zsp_oteljs_${Math.random().toString(36).slice(2)}_0123456789`;
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn("dotnet", [dll, "--urls", baseUrl], {
    env: { ...process.env, ZESPAN_DATA: dataDir, ZESPAN_API_KEY: apiKey, ZESPAN_ADMIN_PASSWORD: "otel-js-tests-admin", DOTNET_NOLOGO: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try { if ((await fetch(`${baseUrl}/health`)).ok) break; } catch { /* not up yet */ }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Zespan did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const get = async (url) => {
    const response = await fetch(baseUrl + url, { headers: { Authorization: `Bearer ${apiKey}` } });
    return response.status === 404 ? null : response.json();
  };
  return {
    baseUrl, apiKey,
    session: (id) => get(`/api/v1/sessions/${encodeURIComponent(id)}`),
    trace: (id) => get(`/api/v1/traces/${encodeURIComponent(id)}`),
    /** Polls until the session has `turns` turns (exporters send asynchronously). */
    async waitForTurns(id, turns, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let last;
      while (Date.now() < until) {
        last = await get(`/api/v1/sessions/${encodeURIComponent(id)}`);
        if (last?.session?.turns === turns) return last;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`session ${id} did not reach ${turns} turns: ${JSON.stringify(last)}`);
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** gpt-4o-mini's built-in price per 1M tokens: input 0.15, cached input 0.075, output 0.60. */
const miniCost = (u) => ((u.prompt_tokens - u.prompt_tokens_details.cached_tokens) * 0.15
  + u.prompt_tokens_details.cached_tokens * 0.075 + u.completion_tokens * 0.60) / 1e6;

module.exports = { startZespan, miniCost };
