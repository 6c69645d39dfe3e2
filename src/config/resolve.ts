import { readFile } from 'node:fs/promises';
import { ConfigError, UsageError, type ConfigProblem } from '../core/errors.js';
import { resolveTenable, type ResolvedTenable, type TenableEndpoint } from './tenable-endpoint.js';
import { regionSchema, type FleetFile } from './schema.js';
import { validateFleetText, type ValidatedFleet, type ValidateOptions } from './validate.js';

export { TENABLE_SITES, apiUrlOf } from './tenable-endpoint.js';

/** Flags that take part in resolution (later wins: defaults < env < file < flags). */
export interface ConfigFlags {
  region?: string | undefined;
  profile?: string | undefined;
  allowWorld?: boolean | undefined;
  /** `--tenable-url`: where Tenable API calls go (beats TIO_URL). */
  tenableUrl?: string | undefined;
}

export interface ResolvedConfig extends FleetFile {
  region: string;
  profile: string | undefined;
  /** Base URL for Tenable API calls (`tenableEndpoint.url`). */
  tenableApiUrl: string;
  /** The API endpoint and where it was set (--tenable-url, TIO_URL, the file…), for hints. */
  tenableEndpoint: TenableEndpoint;
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
  const { config, source } = validated;
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

  const tenable = resolveTenableOrProblem(validated, flags, env, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    ...config,
    tenable: tenable!.tenable,
    region: region!,
    profile: flags.profile ?? (env.AWS_PROFILE || undefined),
    tenableApiUrl: tenable!.endpoint.url,
    tenableEndpoint: tenable!.endpoint,
    file: source.file,
  };
}

/** The Tenable endpoint for this file (see tenable-endpoint.ts); a site conflict joins the file's other problems. */
function resolveTenableOrProblem(
  validated: ValidatedFleet,
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
): ResolvedTenable | undefined {
  const { config, raw, source } = validated;
  const rawTenable = raw.tenable;
  const siteSet = typeof rawTenable === 'object' && rawTenable !== null && 'site' in rawTenable;
  try {
    return resolveTenable({
      flag: flags.tenableUrl,
      env,
      file: { file: source.file, tenable: config.tenable, siteSet, sitePosition: siteSet ? source.locate(['tenable', 'site']) : undefined },
    });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
    return undefined;
  }
}
