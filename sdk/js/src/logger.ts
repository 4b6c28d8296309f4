/**
 * The SDK's only output channel. Debug lines appear only with `debug: true`; warnings are for
 * misconfiguration the user must fix (for example a missing API key) and are printed once each.
 */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  warn(message: string): void;
}

export function createLogger(isDebug: () => boolean): Logger {
  const warned = new Set<string>();
  return {
    debug(message, ...details) {
      if (isDebug()) console.debug(`[zespan] ${message}`, ...details);
    },
    warn(message) {
      if (warned.has(message)) return;
      warned.add(message);
      console.warn(`[zespan] ${message}`);
    },
  };
}
