import type { Output } from '../output.js';
import type { FleetProgress } from './types.js';

/** Timestamped lines on stderr, for CI logs and pipes (no cursor movement). */
export function plainProgress(out: Output, now: () => number = Date.now): FleetProgress {
  const started = now();
  const stamp = () => new Date(now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const elapsed = () => `+${Math.round((now() - started) / 1000)}s`;
  const line = (text: string) => out.info(`${stamp()} ${elapsed().padStart(6)} ${text}`);
  return {
    step(_id, title, status, detail) {
      if (status === 'running') return out.debug(`${stamp()} ${title}…`);
      line(`${status === 'failed' ? 'FAILED' : status === 'skipped' ? 'kept' : 'done'}: ${title}${detail ? ` — ${detail}` : ''}`);
    },
    scanner(e) {
      line(`scanner ${e.name} (${e.instanceId}): ${e.phase}${e.detail ? ` — ${e.detail}` : ''}`);
    },
    log(level, message) {
      if (level === 'debug') out.debug(message);
      else if (level === 'warn') out.warn(message);
      else line(message);
    },
    waiting(scanners) {
      line(`waiting for ${scanners.length} scanner(s) to be linked and ready in Tenable`);
    },
    async stop() {},
  };
}
