import { KNOWN_REGION_RE } from '../config/schema.js';
import { UsageError } from './errors.js';

/**
 * `org up` targets without AWS Organizations API calls: OU / root ids and account ids on the
 * command line, or a CSV file with one account per row (optionally per region, with VPC/subnet
 * overrides). Service-managed StackSets address accounts through an OU (or the root) with
 * AccountFilterType INTERSECTION, so every account needs the OU or root that contains it.
 */

const OU_RE = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
const ACCOUNT_RE = /^\d{12}$/;
const VPC_RE = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_RE = /^subnet-[0-9a-f]{8,17}$/;

export interface AccountTarget {
  account: string;
  /** The OU or root id containing the account. */
  ou: string;
  /** Only this region (must be one of --regions); all of them when absent. */
  region?: string;
  vpcId?: string;
  subnetId?: string;
}

export interface OrgTargets {
  /** Whole OUs (or the root). */
  ous: string[];
  accounts: AccountTarget[];
  source: string;
}

export interface DeploymentTargetsShape {
  OrganizationalUnitIds: string[];
  Accounts?: string[];
  AccountFilterType?: 'INTERSECTION';
}

/** One CreateStackInstances / DeleteStackInstances request. */
export interface DeploymentGroup {
  targets: DeploymentTargetsShape;
  regions: string[];
  /** Stack parameters overridden for these stack instances. */
  overrides: Record<string, string>;
}

export type OperationLimit = { percentage: number } | { count: number };

export function isCsvTarget(text: string): boolean {
  return /\.csv$/i.test(text.trim()) || text.includes('/');
}

/** Parses `--targets`: comma-separated OU/root/account ids, or the path of a CSV file (read by the caller). */
export function parseTargetList(text: string): OrgTargets {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw badTargets(text, 'no target given');
  const ous: string[] = [];
  const accounts: string[] = [];
  for (const item of items) {
    if (OU_RE.test(item)) ous.push(item);
    else if (ACCOUNT_RE.test(item)) accounts.push(item);
    else throw badTargets(text, `${JSON.stringify(item)} is neither an OU id (ou-xxxx-xxxxxxxx), a root id (r-xxxx) nor a 12-digit account id`);
  }
  if (accounts.length > 0 && ous.length === 0) {
    throw new UsageError(`--targets lists account ids without the OU or root that contains them.`, {
      hint: 'service-managed StackSets reach accounts through an OU: add the organization root (e.g. --targets r-ab12,111122223333) or the accounts\' OU, or give a CSV with an `ou` column',
    });
  }
  if (accounts.length > 0) {
    // Accounts with OUs on the command line: the OUs scope the accounts (INTERSECTION).
    return { ous: [], accounts: accounts.flatMap((account) => ous.map((ou) => ({ account, ou }))).filter(uniqueAccount()), source: '--targets' };
  }
  return { ous: [...new Set(ous)], accounts: [], source: '--targets' };
}

function uniqueAccount(): (t: AccountTarget) => boolean {
  const seen = new Set<string>();
  return (t) => (seen.has(t.account) ? false : (seen.add(t.account), true));
}

/** Parses the accounts CSV: a header with `account` and `ou` (plus optional `region`, `vpcId`, `subnetId`). */
export function parseTargetCsv(path: string, text: string, regions: readonly string[]): OrgTargets {
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: i + 1, cells: l.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1')) })).filter((l) => l.cells.some((c) => c !== '') && !l.cells[0]!.startsWith('#'));
  const header = lines.shift();
  const columns = header?.cells.map((c) => c.toLowerCase().replace(/[_\s-]/g, '')) ?? [];
  const col = (...names: string[]) => columns.findIndex((c) => names.includes(c));
  const iAccount = col('account', 'accountid');
  const iOu = col('ou', 'ouid', 'organizationalunitid', 'root');
  if (iAccount < 0 || iOu < 0) {
    throw new UsageError(`${path}: the CSV header must name the columns account and ou (optional: region, vpcId, subnetId).`, { hint: 'first line e.g.: account,ou,region,vpcId,subnetId' });
  }
  const iRegion = col('region');
  const iVpc = col('vpcid', 'vpc');
  const iSubnet = col('subnetid', 'subnet');
  const problems: string[] = [];
  const accounts: AccountTarget[] = [];
  for (const { line, cells } of lines) {
    const get = (i: number) => (i >= 0 ? (cells[i] ?? '') : '');
    const t: AccountTarget = { account: get(iAccount), ou: get(iOu) };
    if (!ACCOUNT_RE.test(t.account)) problems.push(`${path}:${line}: account ${JSON.stringify(t.account)} is not a 12-digit account id`);
    if (!OU_RE.test(t.ou)) problems.push(`${path}:${line}: ou ${JSON.stringify(t.ou)} is not an OU id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)`);
    const region = get(iRegion);
    if (region) {
      if (!regions.includes(region)) problems.push(`${path}:${line}: region ${region} is not one of --regions ${regions.join(',')}`);
      t.region = region;
    }
    const vpc = get(iVpc);
    if (vpc) {
      if (!VPC_RE.test(vpc)) problems.push(`${path}:${line}: vpcId ${JSON.stringify(vpc)} is not a VPC id`);
      t.vpcId = vpc;
    }
    const subnet = get(iSubnet);
    if (subnet) {
      if (!SUBNET_RE.test(subnet)) problems.push(`${path}:${line}: subnetId ${JSON.stringify(subnet)} is not a subnet id`);
      t.subnetId = subnet;
    }
    if ((t.vpcId || t.subnetId) && !t.region && regions.length > 1) problems.push(`${path}:${line}: vpcId/subnetId are per region: add the region column`);
    accounts.push(t);
  }
  const dupes = duplicates(accounts.map((a) => `${a.account}/${a.region ?? '*'}`));
  for (const d of dupes) problems.push(`${path}: account ${d.replace('/*', '')} is listed more than once`);
  if (problems.length) throw new UsageError(`--targets ${path} has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`, { hint: 'one row per account (and region): account,ou[,region,vpcId,subnetId]' });
  if (accounts.length === 0) throw new UsageError(`--targets ${path} lists no accounts.`, { hint: 'add one row per account under the header account,ou' });
  return { ous: [], accounts, source: path };
}

function duplicates(items: string[]): string[] {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const i of items) (seen.has(i) ? out : seen).add(i);
  return [...out];
}

function badTargets(text: string, why: string): UsageError {
  return new UsageError(`--targets ${text}: ${why}.`, { hint: 'use OU ids (ou-ab12-cdef3456), the root id (r-ab12), account ids with their OU or root, or a CSV file (account,ou[,region,vpcId,subnetId])' });
}

export function parseRegions(text: string): string[] {
  const regions = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
  const bad = regions.filter((r) => !KNOWN_REGION_RE.test(r));
  if (regions.length === 0 || bad.length > 0) {
    throw new UsageError(`--regions ${text}: ${bad.length ? `${bad.join(', ')} ${bad.length === 1 ? 'is not an AWS region name' : 'are not AWS region names'}` : 'no region given'}.`, { hint: 'e.g. --regions us-east-1,eu-west-1' });
  }
  return regions;
}

/** `10%` or `10`: a percentage (1–100) or an absolute count (≥ 1; ≥ 0 for the failure tolerance). */
export function parseOperationLimit(flag: string, text: string, min: 0 | 1): OperationLimit {
  const m = /^(\d{1,3})(%?)$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || n < min || (m[2] && n > 100)) {
    throw new UsageError(`${flag} ${text} is not a count or a percentage.`, { hint: `use e.g. ${flag} 10% or ${flag} ${min === 0 ? 0 : 5}` });
  }
  return m[2] ? { percentage: n } : { count: n };
}

/** Groups the targets into the fewest StackSet requests (one per OU scope, region set and override set). */
export function deploymentGroups(targets: OrgTargets, regions: readonly string[]): DeploymentGroup[] {
  const groups: DeploymentGroup[] = [];
  if (targets.ous.length > 0) groups.push({ targets: { OrganizationalUnitIds: [...targets.ous] }, regions: [...regions], overrides: {} });
  const byKey = new Map<string, DeploymentGroup>();
  for (const a of targets.accounts) {
    const overrides: Record<string, string> = {};
    if (a.vpcId) overrides.VpcId = a.vpcId;
    if (a.subnetId) overrides.SubnetId = a.subnetId;
    const groupRegions = a.region ? [a.region] : [...regions];
    const key = JSON.stringify([a.ou, groupRegions, overrides]);
    const g = byKey.get(key) ?? { targets: { OrganizationalUnitIds: [a.ou], Accounts: [], AccountFilterType: 'INTERSECTION' as const }, regions: groupRegions, overrides };
    g.targets.Accounts!.push(a.account);
    byKey.set(key, g);
  }
  return [...groups, ...byKey.values()];
}
