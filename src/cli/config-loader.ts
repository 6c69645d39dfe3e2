import { resolveConfig, type ResolvedConfig } from '../config/resolve.js';
import type { GlobalOptions } from './globals.js';
import type { Output } from './output.js';

/** Resolves the fleet config for a command from its global flags (defaults < env < file < flags). */
export function loadConfigFor(g: GlobalOptions, out: Output, extra: { allowWorld?: boolean } = {}): Promise<ResolvedConfig> {
  return resolveConfig({
    file: g.file ?? 'fleet.yaml',
    flags: { region: g.region, profile: g.profile, tenableUrl: g.tenableUrl, allowWorld: extra.allowWorld },
    env: process.env,
    notice: (m) => out.notice(m),
  });
}
