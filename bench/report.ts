import { writeFileSync } from 'node:fs';
import type { BenchRow } from './row.js';

export function renderTable(rows: readonly BenchRow[]): string {
  const head = ['', 'benchmark', 'measured', 'target', 'result'];
  const body = rows.map((r) => [r.id, r.name, r.measured, r.target, r.value === null && !r.pass ? 'ERROR' : r.pass ? 'PASS' : 'MISS']);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function writeResults(path: string, data: { settings: Record<string, unknown>; rows: readonly BenchRow[] }): void {
  writeFileSync(path, `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, ...data }, null, 2)}\n`);
}
