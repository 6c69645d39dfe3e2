import { readFile } from 'node:fs/promises';
import { ConfigError, UsageError, type ConfigProblem } from '../core/errors.js';
import { regionSchema, type FleetFile } from './schema.js';
import { validateFleetText, type ValidatedFleet, type ValidateOptions } from './validate.js';

export const TENABLE_SITES = {
  cloud: { apiUrl: 'https://cloud.tenable.com', linkHost: 'cloud.tenable.com', linkPort: 443 },
  fedramp: { apiUrl: 'https://fedcloud.tenable.com', linkHost: 'fedcloud.tenable.com', linkPort: 443 },
} as const;

/** Flags that take part in resolution (later wins: defaults < env < file < flags). */
export interface ConfigFlags {
  region?: string | undefined;
  profile?: string | undefined;
  allowWorld?: boolean | undefined;
}

export interface ResolvedConfig extends FleetFile {
  region: string;
  profile: string | undefined;
  /** Base URL for Tenable API calls (site default, custom url, or the endpoint override). */
  tenableApiUrl: string;
  /** The fleet file this came from (for messages). */
  file: string;
}

export interface ResolveInput {
  file: string;
  flags: ConfigFlags;
  env: NodeJS.ProcessEnv;
  /** Called for notices such as "fleet.yaml wins over AWS_REGION". */
  notice?: (message: string) => void;
}

export async function loadFleetFile(file: string, opts: ValidateOptions = {}): Promise<ValidatedFleet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read the fleet file ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? e)}.`, {
      hint: code === 'ENOENT' ? 'pass an existing file with -f, or create one with `nessus-byol init`' : undefined,
    });
  }
  return validateFleetText(file, text, opts);
}

export async function resolveConfig(input: ResolveInput): Promise<ResolvedConfig> {
  const extraProblems: ConfigProblem[] = [];
  if (input.flags.region && !regionSchema.safeParse(input.flags.region).success) {
    extraProblems.push({ path: '--region', message: `--region ${input.flags.region} is not an AWS region name`, hint: 'use a name such as us-east-1, eu-west-2 or us-gov-west-1' });
  }
  const validated = await loadFleetFile(input.file, { allowWorld: input.flags.allowWorld, extraProblems });
  return resolveValidated(validated, input);
}

export function resolveValidated(validated: ValidatedFleet, input: ResolveInput): ResolvedConfig {
  const { config, raw, source } = validated;
  const { flags, env, notice = () => undefined } = input;
  const problems: ConfigProblem[] = [];

  const envRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  if (config.region && envRegion && config.region !== envRegion && !flags.region) {
    notice(`${source.file} sets region ${config.region}; ignoring AWS_REGION=${envRegion} from the environment.`);
  }
  const region = flags.region ?? config.region ?? envRegion;
  if (!region) {
    problems.push({
      file: source.file,
      line: 1,
      col: 1,
      path: 'region',
      message: 'no AWS region is set',
      hint: 'add `region: us-east-1` to the fleet file, pass --region, or set AWS_REGION',
    });
  } else if (!config.region && !regionSchema.safeParse(region).success) {
    problems.push({ file: source.file, line: 1, col: 1, path: 'region', message: `AWS_REGION=${region} is not an AWS region name`, hint: 'set `region:` in the fleet file' });
  }

  const tenable = resolveTenable(config, raw, env, source.file, notice);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    ...config,
    tenable: tenable.tenable,
    region: region!,
    profile: flags.profile ?? (env.AWS_PROFILE || undefined),
    tenableApiUrl: tenable.apiUrl,
    file: source.file,
  };
}

function resolveTenable(
  config: FleetFile,
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  file: string,
  notice: (m: string) => void,
): { tenable: FleetFile['tenable']; apiUrl: string } {
  const fileSetsSite = typeof raw.tenable === 'object' && raw.tenable !== null && 'site' in raw.tenable;
  let tenable = config.tenable;
  const tioUrl = env.TIO_URL?.replace(/\/+$/, '') || undefined;
  if (tioUrl && !fileSetsSite) {
    tenable = siteFromUrl(tioUrl);
  } else if (tioUrl && fileSetsSite && apiUrlOf(tenable) !== tioUrl) {
    notice(`${file} sets tenable.site ${tenable.site}; ignoring TIO_URL=${tioUrl} from the environment.`);
  }
  // An endpoint override (like AWS_ENDPOINT_URL) moves API calls only, e.g. to the local sandbox.
  const override = env.NESSUS_BYOL_TENABLE_API_URL?.replace(/\/+$/, '') || undefined;
  return { tenable, apiUrl: override ?? apiUrlOf(tenable) };
}

function siteFromUrl(url: string): FleetFile['tenable'] {
  const host = safeHost(url);
  if (host === TENABLE_SITES.cloud.linkHost) return { site: 'cloud' };
  if (host === TENABLE_SITES.fedramp.linkHost) return { site: 'fedramp' };
  return { site: 'custom', url, linkHost: host ?? undefined, linkPort: 443 };
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

export function apiUrlOf(tenable: FleetFile['tenable']): string {
  if (tenable.site === 'custom') return (tenable.url ?? `https://${tenable.linkHost}`).replace(/\/+$/, '');
  return TENABLE_SITES[tenable.site].apiUrl;
}
