import { randomBytes } from "node:crypto";

// Ids are made on every wrapped call, so random bytes are drawn in blocks rather than
// one small crypto call per id.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

function randomHex(byteCount: number): string {
  if (offset + byteCount > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + byteCount);
  offset += byteCount;
  return hex;
}

/** 16 hex characters: unique per span within a project. */
export function newSpanId(): string {
  return randomHex(8);
}

/** 32 hex characters, the W3C trace-id size. */
export function newTraceId(): string {
  return randomHex(16);
}
