/** Turns anything thrown into the span's `error` text plus the facts worth filtering on. */
export function describeError(error: unknown): { message: string; metadata: Record<string, unknown> } {
  const metadata: Record<string, unknown> = {};
  if (error && typeof error === "object") {
    const e = error as { message?: unknown; status?: unknown; code?: unknown; type?: unknown; name?: unknown };
    if (typeof e.status === "number") metadata.httpStatus = e.status;
    if (typeof e.code === "string" || typeof e.code === "number") metadata.errorCode = e.code;
    if (typeof e.type === "string") metadata.errorType = e.type;
    if (typeof e.name === "string" && e.name !== "Error") metadata.errorName = e.name;
    const message = typeof e.message === "string" && e.message !== "" ? e.message : String(error);
    return { message, metadata };
  }
  return { message: String(error), metadata };
}
