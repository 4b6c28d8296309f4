import { spawn } from "node:child_process";
/** Runs a Node script in a child process and waits for it to end by itself. */
export function runNode(script, args, env, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk) => (stderr += chunk.toString()));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`${script} did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        child.on("exit", (exitCode) => {
            clearTimeout(timer);
            resolve({ exitCode, stdout, stderr, ms: performance.now() - started });
        });
    });
}
