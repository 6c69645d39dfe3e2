
export { freeLoopbackPort } from '../adapters/net/loopback.js';

export interface WaitForHttpOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Resolves early (false) when this says the server can no longer come up (its process exited). */
  gaveUp?: () => boolean;
}

/** Polls `url` with GET until it answers any HTTP status below 500; false on timeout or give-up. */
export async function waitForHttp(url: string, opts: WaitForHttpOptions): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 100;
  while (Date.now() < deadline) {
    if (opts.gaveUp?.()) return false;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) return true;
    } catch {
      // not listening yet
    }
    await sleep(interval);
  }
  return false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when a process with this pid exists (signal 0 probes without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
