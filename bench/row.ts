/** One line of the bench table; `pass` compares `value` with the target, never fails the process. */
export interface BenchRow {
  id: string;
  name: string;
  measured: string;
  target: string;
  value: number | null;
  pass: boolean;
  detail?: unknown;
}

export const ratio = (a: number, b: number): number => (b === 0 ? Number.POSITIVE_INFINITY : a / b);
export const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
