import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { FakeOpenAIServer } from "./support/fake-openai/server.js";
import { FakeIngestServer } from "./support/fake-ingest-server.js";
import { TEST_API_KEY } from "./support/spans.js";

// What a user of docs/sdk-js.md does: pack the package, install the tarball into a fresh app next to openai
// and TypeScript, type-check with --strict, and run the guide's first example (ESM) and a CommonJS require.
const run = promisify(execFile);
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const GUIDE = join(PACKAGE_ROOT, "..", "..", "docs", "sdk-js.md");
const installed = (name: string): string =>
  (JSON.parse(readFileSync(join(PACKAGE_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
// The app's compiler and Node types: the versions this package builds with, or what scripts/test-newest.sh names
// (`latest`: what `npm install -D typescript @types/node` gives a new app today).
const appTypeScript = process.env.ZESPAN_APP_TYPESCRIPT ?? installed("typescript");
const appNodeTypes = process.env.ZESPAN_APP_TYPES_NODE ?? installed("@types/node");

describe("the packed package in a fresh app", { timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "zespan-sdk-pack-"));
  const app = join(work, "app");
  const fakeOpenAI = new FakeOpenAIServer();
  const ingest = new FakeIngestServer();
  let tarball = "";
  let files: string[] = [];

  before(async () => {
    await Promise.all([fakeOpenAI.start(), ingest.start()]);
    // dist/ was just built by `npm test`; the prepare script (which rebuilds it) is checked separately below.
    const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: PACKAGE_ROOT });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    files = info!.files.map((file) => file.path);
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "fresh-app", private: true, type: "module" }));
    await run(
      "npm",
      ["install", "--no-audit", "--no-fund", tarball, `openai@${installed("openai")}`, `typescript@${appTypeScript}`, `@types/node@${appNodeTypes}`],
      { cwd: app, maxBuffer: 16 << 20 },
    );
  });
  after(async () => {
    await Promise.all([fakeOpenAI.stop(), ingest.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  test("the tarball holds both builds with their types, and no tests", () => {
    for (const file of ["dist/esm/index.js", "dist/esm/index.d.ts", "dist/cjs/index.js", "dist/cjs/index.d.ts", "dist/cjs/package.json", "README.md", "LICENSE", "package.json"]) {
      assert.ok(files.includes(file), `${file} is packed`);
    }
    assert.deepEqual(files.filter((file) => /^(test|build|scripts|node_modules)\//.test(file)), []);
  });

  test("package.json builds on prepare, so installing from a path or git builds dist/", () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    assert.match(manifest.scripts.prepare ?? "", /prepare\.mjs/);
  });

  test("the guide's first example type-checks with the guide's tsconfig and records its call (ESM)", async () => {
    const guide = readFileSync(GUIDE, "utf8");
    const example = /```ts\n([\s\S]*?)```/.exec(guide)![1]!;
    const tsconfig = /```json\n([\s\S]*?)```/.exec(guide)![1]!;
    assert.equal((JSON.parse(tsconfig) as { compilerOptions: { strict?: boolean } }).compilerOptions.strict, true);
    writeFileSync(join(app, "index.ts"), example);
    writeFileSync(join(app, "tsconfig.json"), tsconfig);
    await run(process.execPath, [join(app, "node_modules", "typescript", "bin", "tsc"), "-p", "."], { cwd: app });
    const before = ingest.stored.length;
    const env = { ...process.env, ZESPAN_API_KEY: TEST_API_KEY, ZESPAN_BASE_URL: ingest.baseUrl, OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fakeOpenAI.baseURL };
    await run(process.execPath, ["out/index.js"], { cwd: app, env });
    const spans = ingest.stored.slice(before);
    assert.equal(spans.length, 1, "the example's call is recorded");
    assert.equal(spans[0]!.name, "chat.completions.create");
    assert.ok(spans[0]!.sessionId, "with the example's session");
  });

  test("require() gives the CommonJS build with the same API", async () => {
    writeFileSync(
      join(app, "check.cjs"),
      `const sdk = require("@zespan/sdk");
       if (typeof sdk.zespan.wrapOpenAI !== "function" || typeof sdk.zespan.wrapFetch !== "function" || typeof sdk.withZespanContext !== "function") process.exit(1);
       console.log(require.resolve("@zespan/sdk"));`,
    );
    const { stdout } = await run(process.execPath, ["check.cjs"], { cwd: app });
    assert.match(stdout.trim(), /node_modules[\\/]@zespan[\\/]sdk[\\/]dist[\\/]cjs[\\/]index\.js$/);
  });

  test("package.json links the repository, its guide and its issues, like the .NET and Python packages", () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
      repository?: { type?: string; url?: string; directory?: string };
      homepage?: string;
      bugs?: { url?: string };
    };
    assert.deepEqual(manifest.repository, { type: "git", url: "git+https://github.com/zespan/zespan.git", directory: "sdk/js" });
    assert.match(manifest.homepage ?? "", /^https:\/\/github\.com\/zespan\/zespan\b/);
    assert.equal(manifest.bugs?.url, "https://github.com/zespan/zespan/issues");
  });

  test("npm publish --dry-run is clean (no warning beyond the missing login)", async () => {
    const { stderr } = await run("npm", ["publish", "--dry-run", "--ignore-scripts"], { cwd: PACKAGE_ROOT, maxBuffer: 16 << 20 });
    const warnings = stderr.split("\n").filter((line) => /^npm (warn|WARN|ERR)/.test(line) && !/requires you to be logged in/.test(line));
    assert.deepEqual(warnings, []);
  });
});
