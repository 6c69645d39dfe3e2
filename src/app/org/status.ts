import { matrixCounts, orgMatrix, type MatrixCell } from '../../core/cloudformation-matrix.js';
import { orgSecretName } from '../../core/cloudformation-org-policies.js';
import { stackSetName, type OrgDeps } from './deps.js';

export interface OrgStatusResult {
  stackSet: { name: string; exists: boolean; status?: string };
  secretName: string;
  scannersPerStack: number;
  cells: MatrixCell[];
  counts: ReturnType<typeof matrixCounts>;
}

/** Scanners per stack as deployed: read back from the StackSet's own template metadata. */
export function scannersPerStackOf(templateBody: string, fallback: number): number {
  const m = /scannersPerStack:\s*(\d+)/.exec(templateBody);
  return m ? Number(m[1]) : fallback;
}

/** `org status`: the matrix from the StackSet's stack instances and ONE GET /scanners. Changes nothing. */
export async function orgStatus(deps: Pick<OrgDeps, 'config' | 'stacksets' | 'tenable'>, regions?: readonly string[]): Promise<OrgStatusResult> {
  const name = stackSetName(deps.config.fleet);
  const set = await deps.stacksets.describe(name);
  const secretName = orgSecretName(deps.config.fleet);
  if (!set) return { stackSet: { name, exists: false }, secretName, scannersPerStack: 0, cells: [], counts: matrixCounts([]) };
  const perStack = scannersPerStackOf(set.templateBody, deps.config.scanners.count);
  const instances = (await deps.stacksets.instances(name)).filter((i) => !regions || regions.includes(i.region));
  const cells = orgMatrix(deps.config.fleet, perStack, instances, await deps.tenable().listScanners());
  return { stackSet: { name, exists: true, status: set.status }, secretName, scannersPerStack: perStack, cells, counts: matrixCounts(cells) };
}
