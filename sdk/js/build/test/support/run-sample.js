import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
const DRIVER = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "run-product-sample.js");
/** Runs the product sample in its own Node process, which exits by itself. */
export function runProductSample(env, turns, mode = "sequential", timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [DRIVER, JSON.stringify(turns), mode], {
            env: { ...process.env, ...env, OPENAI_API_KEY: "sk-fake-key-for-tests" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk) => (stderr += chunk.toString()));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`sample did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        child.on("exit", (exitCode) => {
            clearTimeout(timer);
            const line = stdout.trim().split("\n").at(-1) ?? "";
            try {
                const parsed = JSON.parse(line);
                resolve({ ...parsed, exitCode, ms: performance.now() - started, stderr });
            }
            catch {
                reject(new Error(`sample printed no result (exit ${exitCode}); stdout: ${stdout}; stderr: ${stderr}`));
            }
        });
    });
}
