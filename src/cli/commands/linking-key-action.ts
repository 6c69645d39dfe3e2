import { createAwsGateways } from '../../app/gateways.js';
import { tenableFromEnv } from '../../app/tenable-from-env.js';
import { resolveTenableEndpoint } from '../../config/tenable-endpoint.js';
import { regionSchema } from '../../config/schema.js';
import { UsageError } from '../../core/errors.js';
import { outputFor, type GlobalOptions } from '../globals.js';

const SSM_TARGET = /^ssm:(\/?[A-Za-z0-9_.\-/]{1,1011})$/;

export async function runLinkingKey(g: GlobalOptions, opts: { store?: string }): Promise<void> {
  const out = outputFor(g);
  const target = opts.store === undefined ? undefined : SSM_TARGET.exec(opts.store)?.[1];
  if (opts.store !== undefined && !target) {
    throw new UsageError(`--store ${opts.store} is not a supported target.`, { hint: 'use --store ssm:/path/to/parameter' });
  }
  const region = g.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (target && (!region || !regionSchema.safeParse(region).success)) {
    throw new UsageError(region ? `${region} is not an AWS region name.` : 'Storing the key in SSM needs a region.', { hint: 'pass --region or set AWS_REGION' });
  }
  const endpoint = resolveTenableEndpoint({ flag: g.tenableUrl, env: process.env });
  const tenable = tenableFromEnv(endpoint, process.env, 'read the linking key', (m) => out.debug(m));
  const key = await tenable.getLinkingKey();
  let stored: { parameter: string; result: 'created' | 'updated' } | undefined;
  if (target) {
    const aws = createAwsGateways({ region: region!, profile: g.profile });
    const result = await aws.ssm.putSecure(target, key, { tags: { 'nessus-byol:stored-by': 'linking-key' }, overwrite: true, description: 'Tenable linking key (stored by nessus-byol linking-key)' });
    stored = { parameter: target, result };
  }
  if (g.json) {
    out.result({ key: key.masked(), ...(stored ? { stored: { ...stored, type: 'SecureString', region } } : {}) });
    return;
  }
  out.print(`Linking key: ${key.masked()} (masked)`);
  if (stored) {
    out.success(`${stored.result === 'created' ? 'Stored' : 'Updated'} SSM SecureString ${stored.parameter} in ${region}.`);
    out.info(`Use it in fleet.yaml:  link: { key: { from: ssm, parameter: ${stored.parameter} } }`);
  }
}
