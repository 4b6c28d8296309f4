import { AsyncLocalStorage } from "node:async_hooks";

/** What the application says about the current work: who, which conversation, and labels. */
export interface ZespanContext {
  userId?: string;
  sessionId?: string;
  /**
   * A readable name for the session (shown instead of its id in Zespan's lists), sent as `sessionName` on every span.
   * Without one the server names the session after its first user message.
   */
  sessionName?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

/** The context as stored: the user's fields plus the enclosing span, if any. */
export interface ActiveContext extends ZespanContext {
  traceId?: string;
  spanId?: string;
  /** Decided once per trace so a trace (and a session) is recorded whole or not at all. */
  sampled?: boolean;
}

// One store per process even if both the ESM and the CommonJS build of the SDK are loaded,
// so context set through one copy is seen by calls wrapped by the other.
const STORE_KEY = Symbol.for("zespan.sdk.context-store");
const globalSlot = globalThis as unknown as Record<symbol, AsyncLocalStorage<ActiveContext> | undefined>;
const store: AsyncLocalStorage<ActiveContext> = (globalSlot[STORE_KEY] ??= new AsyncLocalStorage<ActiveContext>());

export function currentContext(): ActiveContext | undefined {
  return store.getStore();
}

/** Runs `fn` with `context` as the current context (no merging). */
export function runWithContext<T>(context: ActiveContext, fn: () => T): T {
  return store.run(context, fn);
}

/**
 * Runs `fn` so every wrapped LLM call inside it, across awaits and timers, carries `context`.
 * Nested calls merge: inner `userId`/`sessionId`/`sessionName` win, `tags` are combined, `metadata` is merged
 * key by key. Returns whatever `fn` returns.
 */
export function withZespanContext<T>(context: ZespanContext, fn: () => T): T {
  return store.run(mergeContext(store.getStore(), context), fn);
}

/** Same as {@link withZespanContext}; the name used in older documentation. */
export const withLumiqtraceContext = withZespanContext;

/** A copy of the context that calls made right now would carry. */
export function getZespanContext(): ZespanContext {
  const active = store.getStore();
  if (!active) return {};
  const copy: ZespanContext = {};
  if (active.userId !== undefined) copy.userId = active.userId;
  if (active.sessionId !== undefined) copy.sessionId = active.sessionId;
  if (active.sessionName !== undefined) copy.sessionName = active.sessionName;
  if (active.tags) copy.tags = [...active.tags];
  if (active.metadata) copy.metadata = { ...active.metadata };
  return copy;
}

export function mergeContext(outer: ActiveContext | undefined, inner: ZespanContext): ActiveContext {
  const merged: ActiveContext = { ...outer };
  if (!inner || typeof inner !== "object") return merged;
  if (inner.userId !== undefined) merged.userId = inner.userId === null ? undefined : String(inner.userId);
  if (inner.sessionId !== undefined) merged.sessionId = inner.sessionId === null ? undefined : String(inner.sessionId);
  if (inner.sessionName !== undefined) merged.sessionName = inner.sessionName === null ? undefined : String(inner.sessionName);
  if (Array.isArray(inner.tags)) {
    merged.tags = outer?.tags ? [...new Set([...outer.tags, ...inner.tags.map(String)])] : inner.tags.map(String);
  }
  if (inner.metadata && typeof inner.metadata === "object") {
    merged.metadata = { ...outer?.metadata, ...inner.metadata };
  }
  return merged;
}
