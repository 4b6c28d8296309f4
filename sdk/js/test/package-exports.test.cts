// CommonJS on purpose: proves `require("@zespan/sdk")` works and type-checks, next to the
// ESM `import` every other test file uses.
import test = require("node:test");
import assert = require("node:assert/strict");
import fs = require("node:fs");
import path = require("node:path");
import sdk = require("@zespan/sdk");

const packageRoot = path.resolve(__dirname, "..", "..");
const packageJson = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  exports: Record<string, { import: { types: string; default: string }; require: { types: string; default: string } }>;
};

test.describe("the published package", () => {
  test.test("require() gives the CommonJS build with the same API as the ESM build", async () => {
    assert.equal(typeof sdk.zespan.init, "function");
    assert.equal(typeof sdk.zespan.wrapOpenAI, "function");
    assert.equal(sdk.withLumiqtraceContext, sdk.withZespanContext);
    assert.match(require.resolve("@zespan/sdk"), /dist[\\/]cjs[\\/]index\.js$/);
    const esm = await import("@zespan/sdk");
    assert.notEqual(esm.zespan, sdk.zespan, "two builds, two module instances");
    assert.deepEqual(Object.keys(esm).sort(), Object.keys(sdk).sort());
  });

  test.test("context set through one build is seen by the other (one store per process)", async () => {
    const esm = await import("@zespan/sdk");
    const seen = sdk.withZespanContext({ sessionId: "shared", userId: "u" }, () => esm.getZespanContext());
    assert.deepEqual(seen, { sessionId: "shared", userId: "u" });
  });

  test.test("every export condition points at a built file, types included", () => {
    const root = packageJson.exports["."]!;
    for (const file of [root.import.types, root.import.default, root.require.types, root.require.default]) {
      assert.ok(fs.existsSync(path.join(packageRoot, file)), `${file} exists`);
    }
  });

  test.test("has no runtime dependencies: built files import only Node built-ins and each other", () => {
    assert.equal(packageJson.dependencies, undefined);
    const specifiers = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith(".js")) {
          const code = fs.readFileSync(full, "utf8");
          for (const match of code.matchAll(/(?:from\s+|require\()\s*["']([^"']+)["']/g)) specifiers.add(match[1]!);
        }
      }
    };
    walk(path.join(packageRoot, "dist"));
    const external = [...specifiers].filter((specifier) => !specifier.startsWith(".") && !specifier.startsWith("node:"));
    assert.deepEqual(external, []);
    assert.ok(specifiers.has("node:async_hooks"));
  });
});
