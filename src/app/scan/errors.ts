import { ExitCode, NessusByolError } from '../../core/errors.js';

/** Waiting for a scan to finish timed out (exit 3); the scan keeps running in Tenable. */
export class ScanTimeoutError extends NessusByolError {
  readonly exitCode = ExitCode.timeout;
  readonly code = 'SCAN_TIMEOUT';
}
