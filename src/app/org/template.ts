import { Ec2Gateway } from '../../adapters/aws/ec2.js';
import type { AwsContext } from '../../adapters/aws/client-config.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { buildFleetTemplate, type FleetTemplate, type TemplateOptions } from '../../core/cloudformation.js';
import { RuntimeError, UsageError } from '../../core/errors.js';

export interface AmiLookup {
  newestImage(productCode: string, owner: string): Promise<{ id: string; rootDeviceName: string } | null>;
  image(id: string): Promise<{ id: string; rootDeviceName: string } | null>;
}

/** The fleet's AMI in each region: Marketplace AMI ids differ per region, so each region is looked up. */
export async function amisByRegion(config: ResolvedConfig, regions: readonly string[], ec2For: (region: string) => AmiLookup): Promise<Record<string, { id: string; rootDeviceName: string }>> {
  if ('id' in config.ami) {
    const pinned = config.ami.id;
    if (regions.length > 1 || regions[0] !== config.region) {
      throw new UsageError(`ami.id ${pinned} is an AMI of ${config.region} only; it cannot serve ${regions.join(', ')}.`, { hint: 'use ami: { productCode: … } so each region finds its own AMI, or deploy one region at a time' });
    }
    const img = await ec2For(config.region).image(pinned);
    if (!img) throw new RuntimeError('AMI_NOT_FOUND', `The pinned AMI ${pinned} does not exist in ${config.region}.`, { hint: 'check ami.id, or use ami: { productCode: … }' });
    return { [config.region]: img };
  }
  const { productCode, owner } = config.ami;
  const out: Record<string, { id: string; rootDeviceName: string }> = {};
  const missing: string[] = [];
  await Promise.all(
    regions.map(async (region) => {
      const img = await ec2For(region).newestImage(productCode, owner);
      if (img) out[region] = { id: img.id, rootDeviceName: img.rootDeviceName };
      else missing.push(region);
    }),
  );
  if (missing.length) {
    throw new RuntimeError('AMI_NOT_FOUND', `No Nessus AMI with product code ${productCode} (owner ${owner}) in ${missing.sort().join(', ')}.`, {
      hint: 'the listing may not be offered there: drop those regions from --regions, or check ami.productCode',
    });
  }
  return out;
}

export function ec2Lookup(ctx: Omit<AwsContext, 'region'>): (region: string) => AmiLookup {
  return (region) => {
    const ec2 = new Ec2Gateway({ ...ctx, region });
    return { newestImage: (p, o) => ec2.newestImage(p, o), image: (id) => ec2.image(id) };
  };
}

/** Builds the template, with the AMI of every region unless offline (then ImageId is a required parameter). */
export async function fleetTemplateFor(config: ResolvedConfig, opts: { regions: readonly string[]; offline: boolean; ec2For: (region: string) => AmiLookup } & Omit<TemplateOptions, 'amiByRegion'>): Promise<FleetTemplate> {
  // Check what the template can express before any AWS call.
  buildFleetTemplate(config, opts);
  const amiByRegion = opts.offline ? undefined : await amisByRegion(config, opts.regions, opts.ec2For);
  return buildFleetTemplate(config, { ...opts, ...(amiByRegion ? { amiByRegion } : {}) });
}
