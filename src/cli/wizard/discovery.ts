import type { AwsContext } from '../../adapters/aws/client-config.js';
import { readAwsProfiles, type AwsProfile } from './aws-profiles.js';

export interface VpcChoice {
  id: string;
  cidrBlock: string;
  isDefault: boolean;
  name?: string;
}

export interface SubnetChoice {
  id: string;
  availabilityZone: string;
  name?: string;
  route: 'internet-gateway' | 'nat-gateway' | 'none';
}

export type TenableCheck = { ok: true; scanners: number } | { ok: false; reason: string };

/** What the wizard looks up live to pre-fill its answers; injected so steps are tested without AWS. */
export interface Discovery {
  awsProfiles(): Promise<AwsProfile[]>;
  vpcs(aws: AwsContext): Promise<VpcChoice[]>;
  subnets(aws: AwsContext, vpcId: string): Promise<SubnetChoice[]>;
  /** One API call (GET /scanners) to tell whether TIO_ACCESS_KEY/TIO_SECRET_KEY work. */
  checkTenable(apiUrl: string): Promise<TenableCheck>;
  scannerGroups(apiUrl: string): Promise<string[]>;
  ssmParameterExists(aws: AwsContext, name: string): Promise<boolean>;
}

/** The live discovery: the shared AWS config files, the EC2/SSM gateways and the Tenable client. */
export function liveDiscovery(env: NodeJS.ProcessEnv): Discovery {
  const ec2 = async (aws: AwsContext) => new (await import('../../adapters/aws/ec2.js')).Ec2Gateway(aws);
  // A wizard waits on a person: one quick attempt with a short timeout, not the provisioning retries.
  const tenable = async (apiUrl: string) => {
    const [{ tenableKeysFromEnv }, { createTenableClient }, { VERSION }] = await Promise.all([
      import('../../app/tenable-from-env.js'),
      import('../../adapters/tenable/client.js'),
      import('../../version.js'),
    ]);
    return createTenableClient({ baseUrl: apiUrl, ...tenableKeysFromEnv(env, 'check the Tenable API keys'), version: VERSION, maxRetries: 1, timeoutMs: 15_000 });
  };
  return {
    awsProfiles: () => readAwsProfiles(env),
    vpcs: async (aws) => (await ec2(aws)).vpcs(),
    subnets: async (aws, vpcId) => {
      const gw = await ec2(aws);
      const [subnets, names] = await Promise.all([gw.subnets({ vpcId }), gw.subnetNames(vpcId)]);
      const routes = await gw.subnetRoutes(vpcId, subnets.map((s) => s.id));
      return subnets.map((s) => {
        const r = routes.find((x) => x.subnetId === s.id);
        const name = names[s.id];
        return { id: s.id, availabilityZone: s.availabilityZone, ...(name ? { name } : {}), route: r?.internetGateway ? 'internet-gateway' : r?.natGateway ? 'nat-gateway' : 'none' };
      });
    },
    checkTenable: async (apiUrl) => {
      try {
        const scanners = await (await tenable(apiUrl)).listScanners();
        return { ok: true, scanners: scanners.length };
      } catch (e) {
        return { ok: false, reason: (e as Error).message };
      }
    },
    scannerGroups: async (apiUrl) => (await (await tenable(apiUrl)).listScannerGroups()).map((g) => g.name),
    ssmParameterExists: async (aws, name) => new (await import('../../adapters/aws/ssm.js')).SsmGateway(aws).exists(name),
  };
}
