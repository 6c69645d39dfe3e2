const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `30m`, `12h`, `7d` (or `0`) → milliseconds; null when unreadable. */
export function parseAuditDuration(text: string): number | null {
  const t = text.trim();
  if (t === '0') return 0;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(t);
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export function formatAuditDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
