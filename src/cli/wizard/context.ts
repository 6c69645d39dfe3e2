import type { AwsContext } from '../../adapters/aws/client-config.js';
import { resolveTenableEndpoint, type TenableEndpoint } from '../../config/tenable-endpoint.js';
import type { FleetFile } from '../../config/schema.js';
import type { Secret } from '../../core/secret.js';
import type { Discovery, TenableCheck } from './discovery.js';
import type { FleetDoc, Path } from './document.js';
import type { Prompts } from './prompts.js';

/**
 * The one object every step reads and fills (create-astro's model): `doc` starts as the existing
 * fleet file plus flags, and a step only asks for what is still undefined there.
 */
export interface WizardContext {
  doc: FleetDoc;
  flags: { region?: string | undefined; profile?: string | undefined; allowWorld?: boolean | undefined; tenableUrl?: string | undefined };
  env: NodeJS.ProcessEnv;
  prompts: Prompts;
  discovery: Discovery;
  /** A line for the person at the terminal (stderr). */
  say(line: string): void;
  /** Answers that are not part of the file. */
  session: {
    profile?: string | undefined;
    allowWorld: boolean;
    /** A pasted linking key: memory only, handed to `up` as NESSUS_LINKING_KEY. */
    linkingKey?: Secret | undefined;
    tenable?: TenableCheck | undefined;
  };
  /** Comments the saved file carries, keyed by dotted path (e.g. `link.key`). */
  comments: Map<string, string>;
}

export interface Step {
  id: string;
  /** Shown in the "edit" menu. */
  title: string;
  /** What the step fills; "edit" clears these and runs the step again. */
  paths: Path[];
  /** Steps whose answers depend on this one (re-asked after editing it). */
  affects?: string[];
  /** Clears session answers the step owns (on edit). */
  reset?(ctx: WizardContext): void;
  run(ctx: WizardContext): Promise<void>;
}

export function awsContextOf(ctx: WizardContext): AwsContext {
  return { region: String(ctx.doc.region ?? ctx.flags.region ?? ctx.env.AWS_REGION ?? 'us-east-1'), profile: ctx.session.profile };
}

/**
 * The Tenable endpoint calls go to, by the same rule as every command (config/tenable-endpoint.ts):
 * --tenable-url > TIO_URL > NESSUS_BYOL_TENABLE_API_URL > the site being written > cloud. Throws the
 * same exit-2 errors when they contradict each other.
 */
export function tenableEndpointOf(ctx: WizardContext): TenableEndpoint {
  const written = (ctx.doc.tenable ?? {}) as Partial<FleetFile['tenable']>;
  const siteSet = written.site !== undefined;
  const tenable = { ...written, site: written.site ?? 'cloud' } as FleetFile['tenable'];
  return resolveTenableEndpoint({ flag: ctx.flags.tenableUrl, env: ctx.env, file: { file: 'the fleet file', tenable, siteSet } });
}

/** The URL of tenableEndpointOf. */
export function tenableApiUrlOf(ctx: WizardContext): string {
  return tenableEndpointOf(ctx).url;
}
