import type { Command } from 'commander';
import { createOutput, type Output } from './output.js';

export interface GlobalOptions {
  file?: string;
  region?: string;
  profile?: string;
  /** `--tenable-url`: the Tenable API endpoint (beats TIO_URL; not a secret). */
  tenableUrl?: string;
  json: boolean;
  yes: boolean;
  verbose: boolean;
  color: boolean;
}

export function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  return {
    file: o.file as string | undefined,
    region: o.region as string | undefined,
    profile: o.profile as string | undefined,
    tenableUrl: o.tenableUrl as string | undefined,
    json: Boolean(o.json),
    yes: Boolean(o.yes),
    verbose: Boolean(o.verbose),
    color: o.color !== false && !process.env.NO_COLOR && Boolean(process.stderr.isTTY),
  };
}

export function outputFor(g: GlobalOptions): Output {
  return createOutput({ json: g.json, verbose: g.verbose, color: g.color });
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI && env.CI !== 'false' && env.CI !== '0');
}
