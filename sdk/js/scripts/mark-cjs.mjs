// The package is "type": "module", so the CommonJS build needs its own package.json
// telling Node that the .js files under dist/cjs are CommonJS.
import { writeFileSync } from "node:fs";
writeFileSync(new URL("../dist/cjs/package.json", import.meta.url), JSON.stringify({ type: "commonjs" }) + "\n");
