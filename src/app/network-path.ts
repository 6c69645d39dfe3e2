import type { SubnetInfo, SubnetRoute } from '../adapters/aws/ec2.js';

export interface SubnetPath {
  subnet: SubnetInfo;
  publicIp: boolean;
  reachesInternet: boolean;
  via: 'internet-gateway' | 'nat-gateway' | 'proxy' | 'none';
}

export interface NetworkPathResult {
  ok: boolean;
  summary: string;
  problems: string[];
  usable: SubnetPath[];
  all: SubnetPath[];
}

/**
 * Pure check that scanners in these subnets can reach Tenable (and SSM / Secrets Manager): a public
 * IP with an internet-gateway route, a NAT gateway route, or a configured proxy. VPC endpoints
 * reach SSM but not Tenable, so they count only alongside a path to the internet.
 */
export function checkNetworkPath(input: {
  subnets: SubnetInfo[];
  routes: SubnetRoute[];
  publicIp: 'auto' | 'always' | 'never';
  proxy: boolean;
  explicitSubnets: boolean;
  region: string;
  endpoints: string[];
}): NetworkPathResult {
  const all = input.subnets.map((subnet): SubnetPath => {
    const route = input.routes.find((r) => r.subnetId === subnet.id) ?? { subnetId: subnet.id, internetGateway: false, natGateway: false };
    const publicIp = input.publicIp === 'always' || (input.publicIp === 'auto' && route.internetGateway);
    const viaIgw = route.internetGateway && publicIp;
    const via = viaIgw ? 'internet-gateway' : route.natGateway ? 'nat-gateway' : input.proxy ? 'proxy' : 'none';
    return { subnet, publicIp, reachesInternet: via !== 'none', via };
  });
  const usable = all.filter((p) => p.reachesInternet);
  const problems: string[] = [];
  const blocked = all.filter((p) => !p.reachesInternet);
  const fix =
    'give the subnet a route to an internet gateway (with publicIp: auto or always), a NAT gateway, or configure link.proxy';
  if (input.subnets.length === 0) {
    problems.push('no subnets found — set scanners.subnetIds or create a default VPC (`aws ec2 create-default-vpc`)');
  } else if (input.explicitSubnets) {
    for (const p of blocked) problems.push(`${p.subnet.id} (${p.subnet.availabilityZone}) cannot reach Tenable or SSM: ${explain(p, input.publicIp)}; ${fix}`);
  } else if (usable.length === 0) {
    problems.push(`none of the default VPC's subnets can reach Tenable or SSM (${explain(blocked[0]!, input.publicIp)}); ${fix}`);
  }
  const ssmEndpoint = input.endpoints.some((e) => e.endsWith(`.${input.region}.ssm`));
  const vias = [...new Set(usable.map((p) => p.via))];
  const summary = `${usable.length}/${all.length} subnet(s) reach the internet via ${vias.join(', ') || 'nothing'}${ssmEndpoint ? '; SSM VPC endpoint present' : ''}`;
  return { ok: problems.length === 0, summary, problems, usable: input.explicitSubnets ? all : usable, all };
}

function explain(p: SubnetPath, mode: string): string {
  if (p.via !== 'none') return 'ok';
  if (mode === 'never') return 'publicIp is never and there is no NAT gateway route';
  return 'no 0.0.0.0/0 route to an internet gateway or NAT gateway';
}
