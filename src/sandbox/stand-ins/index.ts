import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nessuscliScript } from './nessuscli.js';
import { serviceScript, yumScript } from './service.js';

export const STANDIN_TOOLS = ['nessuscli', 'service', 'systemctl', 'yum'] as const;
export type StandInTool = (typeof STANDIN_TOOLS)[number];

export function standInScript(tool: StandInTool): string {
  switch (tool) {
    case 'nessuscli':
      return nessuscliScript();
    case 'service':
    case 'systemctl':
      return serviceScript(tool);
    case 'yum':
      return yumScript();
  }
}

/** Writes the stand-in executables into `binDir` (put it first on PATH); returns the nessuscli path. */
export function writeStandIns(binDir: string): { binDir: string; nessuscli: string } {
  mkdirSync(binDir, { recursive: true });
  for (const tool of STANDIN_TOOLS) {
    const path = join(binDir, tool);
    writeFileSync(path, standInScript(tool), { mode: 0o755 });
    chmodSync(path, 0o755);
  }
  return { binDir, nessuscli: join(binDir, 'nessuscli') };
}

export interface StandInCall {
  tool: StandInTool;
  argv: string[];
  ts: string;
}

/** The calls recorded in a stand-in log ($NESSUS_BYOL_STANDIN_LOG), oldest first; [] when absent. */
export function readStandInLog(path: string): StandInCall[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as StandInCall);
}
