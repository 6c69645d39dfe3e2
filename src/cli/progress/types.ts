import type { ScannerEventPhase } from '../../app/wait-phase.js';

/** What a progress view shows while `up`/`wait`/`rebuild` run; the use cases call these. */
export interface FleetProgress {
  step(id: string, title: string, status: 'running' | 'done' | 'skipped' | 'failed', detail?: string): void;
  scanner(e: { instanceId: string; name: string; phase: ScannerEventPhase; detail?: string }): void;
  log(level: 'info' | 'warn' | 'debug', message: string): void;
  waiting(scanners: Array<{ instanceId: string; name: string; isNew: boolean }>): void;
  /** Ends the view (success or failure) before the summary is printed. */
  stop(error?: unknown): Promise<void>;
}
