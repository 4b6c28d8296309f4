// `prepare` runs when the package is installed from a path or a git checkout (`npm install ./sdk/js`) and
// before `npm pack`/`npm publish`. A fresh checkout has no devDependencies yet, so the compiler is fetched
// first (`npm ci --ignore-scripts`, from the lockfile); then dist/ is built.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url);
const run = (command) => execSync(command, { cwd: root, stdio: "inherit" });
if (!existsSync(new URL("node_modules/typescript/package.json", root))) run("npm ci --ignore-scripts --no-audit --no-fund");
run("npm run build");
