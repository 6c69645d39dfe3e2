export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's report: what was checked, what it found, and the fix when it is not a pass. */
export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export interface DoctorReport {
  /** False when any check failed (the command then exits 5). */
  ok: boolean;
  target: { fleet: string | null; file: string | null; region: string | null; tenableApiUrl: string };
  checks: CheckResult[];
  summary: Record<CheckStatus, number>;
}

export const pass = (id: string, title: string, message: string): CheckResult => ({
  id,
  title,
  status: 'pass',
  message,
});
export const warn = (id: string, title: string, message: string, fix?: string): CheckResult => ({
  id,
  title,
  status: 'warn',
  message,
  ...(fix ? { fix } : {}),
});
export const fail = (id: string, title: string, message: string, fix?: string): CheckResult => ({
  id,
  title,
  status: 'fail',
  message,
  ...(fix ? { fix } : {}),
});
export const skip = (id: string, title: string, message: string): CheckResult => ({
  id,
  title,
  status: 'skip',
  message,
});
