import type { Secret } from '../core/secret.js';

/** Where `nessuscli managed link` points: Tenable cloud, FedRAMP, or a custom host/port. */
export type LinkTarget = { kind: 'cloud' } | { kind: 'fedramp' } | { kind: 'custom'; host: string; port: number };

/** Where a secret comes from at boot. `embedded` puts the value itself in user-data (opt-in, warned). */
export type KeySource =
  | { kind: 'ssm'; parameter: string; region: string }
  | { kind: 'secretsmanager'; secretId: string; region: string }
  | { kind: 'embedded'; key: Secret };

export interface Proxy {
  host: string;
  port: number;
  username?: string | undefined;
  /** The proxy password comes from a secret source, never from plain config. */
  password?: KeySource | undefined;
  /** User-Agent the proxy expects. */
  agent?: string | undefined;
}

/** Input of the `method: bootstrap` bash user-data. */
export interface BootstrapInput {
  fleet: string;
  region: string;
  /** Placeholders: {fleet} {region} {index} {instanceId}; e.g. `{fleet}-{instanceId}`. */
  nameTemplate: string;
  /** The scanner's index, when rendering per instance (required when the template has {index}). */
  index?: number | undefined;
  target: LinkTarget;
  awsScanner: boolean;
  key: KeySource;
  proxy?: Proxy | undefined;
  osUpdate: boolean;
  /** How many times `nessuscli managed link` is tried (default 5). */
  linkAttempts?: number | undefined;
  /** Version of nessus-byol, written in the script header. */
  toolVersion: string;
}

/** Input of the `method: standalone` bash user-data (`nessuscli fetch --register`). */
export interface StandaloneInput {
  fleet: string;
  region: string;
  activationCode: KeySource;
  osUpdate: boolean;
  toolVersion: string;
  proxy?: Proxy | undefined;
}

/** Input of the pre-authorized Marketplace AMI's JSON user-data. */
export interface PreauthorizedInput {
  /** Already rendered per instance, e.g. `fleet-3-k2x9`. */
  name: string;
  key: Secret;
  /** IAM role name of the instance. */
  iamRole: string;
  awsScanner: boolean;
  /** The JSON cannot fetch secrets at boot: a proxy password must be `embedded`. */
  proxy?: Proxy | undefined;
}
