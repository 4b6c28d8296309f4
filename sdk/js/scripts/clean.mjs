// Removes build output so a stale file from a deleted source can never ship or be tested.
import { rmSync } from "node:fs";
for (const dir of ["dist", "build"]) rmSync(new URL(`../${dir}`, import.meta.url), { recursive: true, force: true });
