import type { ResolvedConfig } from "./config.js";

/** A guard rule the session (or its user, within the current window) crossed. */
export interface CrossedRule {
  ruleId: number;
  ruleName: string;
  /** `session_cost`, `session_turns`, `user_cost` or `session_anomalous`. */
  kind: string;
  /** `session`, or `user` for a user-cost rule crossed by the session's user. */
  subject: string;
  /** The figure that crossed, e.g. `"$5.20"` or `"201 turns"`. */
  figure: string;
  firedAt: string;
  window: string | null;
}

/** A session's guard state, from `GET /api/v1/sessions/{id}/guard`. */
export interface GuardState {
  sessionId: string;
  userId: string | null;
  /** True when the session crossed any rule: the application should stop the agent. */
  stop: boolean;
  crossed: CrossedRule[];
  /** Set when the state could not be read (server down, bad key, timeout); `stop` is then false. */
  error?: string;
}

/**
 * Reads a session's guard state. A session the server does not know yet has crossed nothing. Never throws: a failure
 * answers `stop: false` with `error` set, so an application that prefers to stop when unsure can check `error`.
 */
export async function readGuardState(config: ResolvedConfig | undefined, sessionId: string, timeoutMs?: number): Promise<GuardState> {
  const open = (error?: string): GuardState => ({ sessionId, userId: null, stop: false, crossed: [], ...(error ? { error } : {}) });
  if (!config?.apiKey) return open("no API key: pass apiKey to zespan.init() or set ZESPAN_API_KEY");
  try {
    const url = new URL(`api/v1/sessions/${encodeURIComponent(sessionId)}/guard`, config.baseUrl.endsWith("/") ? config.baseUrl : config.baseUrl + "/");
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${config.apiKey}`, accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs ?? config.requestTimeoutMs),
    });
    if (response.status === 404) return open();
    if (!response.ok) return open(`guard state: HTTP ${response.status}`);
    const body = (await response.json()) as GuardState;
    return { sessionId: body.sessionId, userId: body.userId ?? null, stop: body.stop === true, crossed: body.crossed ?? [] };
  } catch (failure) {
    return open(`guard state: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
}
