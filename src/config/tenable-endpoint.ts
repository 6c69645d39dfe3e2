import { ConfigError, UsageError, type ConfigProblem } from '../core/errors.js';
import type { FleetFile } from './schema.js';

/** The two Tenable Vulnerability Management sites the tool knows by name. */
export const TENABLE_SITES = {
  cloud: { apiUrl: 'https://cloud.tenable.com', linkHost: 'cloud.tenable.com', linkPort: 443 },
  fedramp: { apiUrl: 'https://fedcloud.tenable.com', linkHost: 'fedcloud.tenable.com', linkPort: 443 },
} as const;

export type KnownSite = keyof typeof TENABLE_SITES;

/** Where the Tenable API URL came from, most specific first. */
export type TenableEndpointSource = '--tenable-url' | 'TIO_URL' | 'NESSUS_BYOL_TENABLE_API_URL' | 'tenable.site' | 'tenable.url' | 'default';

/** The base URL every Tenable API call goes to, and where that URL was set (for hints). */
export interface TenableEndpoint {
  /** Without a trailing slash. */
  url: string;
  source: TenableEndpointSource;
  /** What to check or change, for messages: "TIO_URL", "--tenable-url", "tenable.site: fedramp in fleet.yaml"… */
  from: string;
}

/** The fleet file's side: the site decides the link target; it gives the API URL only when nothing overrides it. */
export interface EndpointFile {
  file: string;
  tenable: FleetFile['tenable'];
  /** True when the file itself wrote `tenable.site` (false: the schema default `cloud`). */
  siteSet: boolean;
  /** Where `tenable.site` is written, for conflict messages. */
  sitePosition?: { line: number; col: number } | undefined;
}

export interface EndpointInput {
  /** `--tenable-url`. */
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  file?: EndpointFile | undefined;
}

export interface ResolvedTenable {
  endpoint: TenableEndpoint;
  /**
   * The fleet's `tenable` section after resolution: the file's, or — when the file does not set
   * `tenable.site` — the known site an overriding URL names (TIO_URL=https://fedcloud.tenable.com → fedramp).
   */
  tenable: FleetFile['tenable'];
}

const DEFAULT_FROM = 'TIO_URL (not set; the default is https://cloud.tenable.com)';

/**
 * The Tenable API endpoint, one rule for every command (as pyTenable and the AWS SDK's endpoint
 * variables): `--tenable-url` > `TIO_URL` > `NESSUS_BYOL_TENABLE_API_URL` (an alias) > the fleet file's
 * `tenable.site` / `tenable.url` > https://cloud.tenable.com. The URL moves API calls only; `tenable.site`
 * alone decides what the scanners link to. Contradictions are exit 2 naming both sides: the two
 * variables set to different URLs, or an override naming a known Tenable site other than the file's.
 */
export function resolveTenable(input: EndpointInput): ResolvedTenable {
  const override = overrideOf(input);
  const file = input.file;
  const fileTenable: FleetFile['tenable'] = file?.tenable ?? { site: 'cloud' };
  if (!override) {
    if (!file) return { endpoint: { url: TENABLE_SITES.cloud.apiUrl, source: 'default', from: DEFAULT_FROM }, tenable: fileTenable };
    return { endpoint: fileEndpoint(file), tenable: fileTenable };
  }
  const named = knownSiteOf(override.url);
  if (!file || !file.siteSet) {
    // Nothing in the file: a URL naming a known site also picks that site's link target.
    return { endpoint: override, tenable: named && fileTenable.site !== named ? { site: named } : fileTenable };
  }
  if (named && fileTenable.site !== named) throw siteConflict(override, named, file);
  return { endpoint: override, tenable: fileTenable };
}

/** The endpoint alone, for commands that read no fleet file (linking-key, audit, sechub, doctor without -f). */
export function resolveTenableEndpoint(input: EndpointInput): TenableEndpoint {
  return resolveTenable(input).endpoint;
}

/** The API URL a fleet file's `tenable` section implies (site default, or the custom site's url / link host). */
export function apiUrlOf(tenable: FleetFile['tenable']): string {
  if (tenable.site === 'custom') return trimSlash(tenable.url ?? `https://${tenable.linkHost}`);
  return TENABLE_SITES[tenable.site].apiUrl;
}

/** `cloud` / `fedramp` when a URL is one of the known sites' API, else undefined (a custom or local URL). */
export function knownSiteOf(url: string | undefined): KnownSite | undefined {
  if (!url) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host === TENABLE_SITES.cloud.linkHost) return 'cloud';
  if (host === TENABLE_SITES.fedramp.linkHost) return 'fedramp';
  return undefined;
}

function overrideOf(input: EndpointInput): TenableEndpoint | undefined {
  const flag = input.flag?.trim();
  if (flag) return { url: checkedUrl(flag, '--tenable-url'), source: '--tenable-url', from: '--tenable-url' };
  const tio = input.env.TIO_URL?.trim() || undefined;
  const alias = input.env.NESSUS_BYOL_TENABLE_API_URL?.trim() || undefined;
  const tioUrl = tio === undefined ? undefined : checkedUrl(tio, 'TIO_URL');
  const aliasUrl = alias === undefined ? undefined : checkedUrl(alias, 'NESSUS_BYOL_TENABLE_API_URL');
  if (tioUrl && aliasUrl && tioUrl !== aliasUrl) {
    throw new UsageError(`TIO_URL=${tioUrl} and NESSUS_BYOL_TENABLE_API_URL=${aliasUrl} name different Tenable API URLs.`, {
      hint: 'NESSUS_BYOL_TENABLE_API_URL is an alias of TIO_URL: unset one of them (or pass --tenable-url to choose)',
      data: { TIO_URL: tioUrl, NESSUS_BYOL_TENABLE_API_URL: aliasUrl },
    });
  }
  if (tioUrl) return { url: tioUrl, source: 'TIO_URL', from: 'TIO_URL' };
  if (aliasUrl) return { url: aliasUrl, source: 'NESSUS_BYOL_TENABLE_API_URL', from: 'NESSUS_BYOL_TENABLE_API_URL (an alias of TIO_URL)' };
  return undefined;
}

function fileEndpoint(file: EndpointFile): TenableEndpoint {
  const t = file.tenable;
  const overrides = '; TIO_URL or --tenable-url overrides it';
  if (t.site === 'custom') {
    return t.url
      ? { url: apiUrlOf(t), source: 'tenable.url', from: `tenable.url in ${file.file}${overrides}` }
      : { url: apiUrlOf(t), source: 'tenable.url', from: `tenable.linkHost in ${file.file} (no tenable.url${overrides})` };
  }
  if (!file.siteSet) return { url: apiUrlOf(t), source: 'default', from: DEFAULT_FROM };
  return { url: apiUrlOf(t), source: 'tenable.site', from: `tenable.site: ${t.site} in ${file.file}${overrides}` };
}

function siteConflict(override: TenableEndpoint, named: KnownSite, file: EndpointFile): ConfigError {
  const site = file.tenable.site;
  const setting = override.source === '--tenable-url' ? `--tenable-url ${override.url}` : `${override.source}=${override.url}`;
  const problem: ConfigProblem = {
    file: file.file,
    line: file.sitePosition?.line,
    col: file.sitePosition?.col,
    path: 'tenable.site',
    message:
      site === 'custom'
        ? `${setting} is the ${named} Tenable site, but the file says \`site: custom\` (scanners would link to ${file.tenable.linkHost ?? 'the custom host'} while API calls go to ${named})`
        : `${setting} is the ${named} Tenable site, but the file says \`site: ${site}\` (scanners would link to ${site} while API calls go to ${named})`,
    hint:
      site === 'custom'
        ? `use \`site: ${named}\` in the file, or unset ${override.source === '--tenable-url' ? '--tenable-url' : override.source} to call the custom site's API`
        : `both must be the same site: change the file to \`site: ${named}\`, or unset ${override.source === '--tenable-url' ? '--tenable-url' : override.source}`,
  };
  return new ConfigError([problem]);
}

function checkedUrl(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${name} "${raw}" is not a URL.`, { hint: `set ${name} to a Tenable API URL such as https://cloud.tenable.com or https://fedcloud.tenable.com` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${name} "${raw}" must start with https://.`, { hint: `set ${name} to a Tenable API URL such as https://cloud.tenable.com` });
  }
  return trimSlash(raw);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
