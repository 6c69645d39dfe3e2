import { MARK, STATUS_SECTIONS, type StatusSection } from './remote-commands.js';

export interface ScannerHostStatus {
  /** `nessuscli managed status` shows a "Linked to" line. */
  linked: boolean;
  /** `host:port` after "Linked to:", when linked. */
  linkedTo?: string;
  /** running (exit 0), stopped (exit 3, LSB), or unknown. */
  service: 'running' | 'stopped' | 'unknown';
  /** e.g. `10.8.3`, from `nessuscli -v`. */
  version?: string;
  /** The plugin set stamp from plugin_feed_info.inc; absent when no plugins are loaded. */
  pluginSet?: string;
  /** Raw text of each section, for humans. */
  raw: Record<StatusSection, { text: string; rc: number | null }>;
}

/** Splits the status script's output into its sections and reads the facts out of them. */
export function parseStatusOutput(stdout: string): ScannerHostStatus {
  const raw = Object.fromEntries(
    STATUS_SECTIONS.map((s) => [s, { text: '', rc: null as number | null }]),
  ) as ScannerHostStatus['raw'];
  let current: StatusSection | null = null;
  const buffers = new Map<StatusSection, string[]>();
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${MARK} section `)) {
      const name = line.slice(`${MARK} section `.length).trim() as StatusSection;
      current = STATUS_SECTIONS.includes(name) ? name : null;
      if (current) buffers.set(current, []);
    } else if (line.startsWith(`${MARK} rc `) && current) {
      raw[current] = {
        text: (buffers.get(current) ?? []).join('\n').trim(),
        rc: Number(line.slice(`${MARK} rc `.length).trim()),
      };
      current = null;
    } else if (current) {
      buffers.get(current)!.push(line);
    }
  }
  const managed = raw['managed-status'].text;
  const linkedTo = /Linked to:?\s*(\S+)/i.exec(managed)?.[1];
  const serviceRc = raw.service.rc;
  const version = /(\d+\.\d+\.\d+)/.exec(raw.version.text)?.[1];
  const pluginSet = raw.plugins.rc === 0 ? /PLUGIN_SET\s*=\s*"?(\d+)/.exec(raw.plugins.text)?.[1] : undefined;
  return {
    linked: linkedTo !== undefined && !/not linked/i.test(managed),
    ...(linkedTo ? { linkedTo } : {}),
    service: serviceRc === 0 ? 'running' : serviceRc === 3 ? 'stopped' : 'unknown',
    ...(version ? { version } : {}),
    ...(pluginSet ? { pluginSet } : {}),
    raw,
  };
}
