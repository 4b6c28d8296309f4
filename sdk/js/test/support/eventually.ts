/**
 * Waits until `condition` holds, checking every 10 ms, or fails after `timeoutMs` with `what` in the message.
 * For states the SDK reaches in the background (a retry counted, a queue bounded): a fixed sleep would pass or
 * fail by luck on a busy machine, this waits exactly as long as needed.
 */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
