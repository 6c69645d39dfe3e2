import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
  UpdateStackSetCommand,
  type Parameter,
  type StackSetOperationPreferences,
} from '@aws-sdk/client-cloudformation';
import type { DeploymentTargetsShape, OperationLimit } from '../../core/cloudformation-targets.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';

export interface StackSetSummary {
  name: string;
  status: string;
  templateBody: string;
  parameters: Record<string, string>;
}

export interface StackInstanceSummary {
  account: string;
  region: string;
  /** CURRENT | OUTDATED | INOPERABLE */
  status: string;
  /** PENDING | RUNNING | SUCCEEDED | FAILED | CANCELLED | INOPERABLE | SKIPPED_SUSPENDED_ACCOUNT… */
  detailedStatus: string | undefined;
  reason: string | undefined;
  ou: string | undefined;
}

export interface OperationResult {
  account: string;
  region: string;
  /** PENDING | RUNNING | SUCCEEDED | FAILED | CANCELLED */
  status: string;
  reason: string | undefined;
}

export interface OperationOptions {
  maxConcurrent?: OperationLimit;
  failureTolerance?: OperationLimit;
}

export interface StackSetWrite {
  name: string;
  description: string;
  templateBody: string;
  parameters: Record<string, string>;
  tags: Record<string, string>;
}

/** How long to wait for another operation on the same StackSet before giving up (one at a time). */
const BUSY_RETRIES = 60;

/**
 * The narrow CloudFormation StackSets surface `org` uses: service-managed permissions (AWS
 * Organizations trusted access), automatic deployment to accounts joining the targeted OUs, and
 * managed execution so independent operations queue instead of failing.
 */
export class StackSetGateway {
  readonly client: CloudFormationClient;
  constructor(
    ctx: AwsContext,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.client = new CloudFormationClient(clientConfig(ctx));
  }

  async describe(name: string): Promise<StackSetSummary | null> {
    try {
      const out = await this.client.send(new DescribeStackSetCommand({ StackSetName: name }));
      const s = out.StackSet;
      if (!s || s.Status === 'DELETED') return null;
      return {
        name: s.StackSetName ?? name,
        status: s.Status ?? 'ACTIVE',
        templateBody: s.TemplateBody ?? '',
        parameters: Object.fromEntries((s.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
      };
    } catch (e) {
      if (isAwsErrorCode(e, 'StackSetNotFoundException')) return null;
      throw toAwsError(e, `describing StackSet ${name} (cloudformation:DescribeStackSet)`);
    }
  }

  async create(w: StackSetWrite): Promise<void> {
    await aws(`creating StackSet ${w.name} (cloudformation:CreateStackSet)`, () =>
      this.client.send(
        new CreateStackSetCommand(stackSetSettings(w)),
      ),
    );
  }

  /** Updates the template of every existing stack instance; returns the operation id. */
  async update(w: StackSetWrite, opts: OperationOptions): Promise<string> {
    const out = await this.whenIdle(`updating StackSet ${w.name} (cloudformation:UpdateStackSet)`, () =>
      this.client.send(
        new UpdateStackSetCommand({
          ...stackSetSettings(w),
          OperationPreferences: preferences(opts),
        }),
      ),
    );
    return out.OperationId ?? '';
  }

  async createInstances(name: string, g: { targets: DeploymentTargetsShape; regions: string[]; overrides: Record<string, string> }, opts: OperationOptions): Promise<string> {
    const out = await this.whenIdle(`creating stack instances of ${name} (cloudformation:CreateStackInstances)`, () =>
      this.client.send(
        new CreateStackInstancesCommand({
          StackSetName: name,
          DeploymentTargets: g.targets,
          Regions: g.regions,
          ...(Object.keys(g.overrides).length ? { ParameterOverrides: params(g.overrides) } : {}),
          OperationPreferences: preferences(opts),
        }),
      ),
    );
    return out.OperationId ?? '';
  }

  async deleteInstances(name: string, g: { targets: DeploymentTargetsShape; regions: string[] }, opts: OperationOptions): Promise<string> {
    const out = await this.whenIdle(`deleting stack instances of ${name} (cloudformation:DeleteStackInstances)`, () =>
      this.client.send(
        new DeleteStackInstancesCommand({
          StackSetName: name,
          DeploymentTargets: g.targets,
          Regions: g.regions,
          RetainStacks: false,
          OperationPreferences: preferences(opts),
        }),
      ),
    );
    return out.OperationId ?? '';
  }

  async delete(name: string): Promise<'deleted' | 'gone'> {
    try {
      await this.whenIdle(`deleting StackSet ${name} (cloudformation:DeleteStackSet)`, () => this.client.send(new DeleteStackSetCommand({ StackSetName: name })));
      return 'deleted';
    } catch (e) {
      if ((e as { code?: string }).code === 'AWS_STACKSETNOTFOUNDEXCEPTION') return 'gone';
      throw e;
    }
  }

  async operationStatus(name: string, operationId: string): Promise<{ status: string; reason: string | undefined }> {
    const out = await aws(`following StackSet operation ${operationId} (cloudformation:DescribeStackSetOperation)`, () =>
      this.client.send(new DescribeStackSetOperationCommand({ StackSetName: name, OperationId: operationId })),
    );
    return { status: out.StackSetOperation?.Status ?? 'RUNNING', reason: out.StackSetOperation?.StatusReason };
  }

  async operationResults(name: string, operationId: string): Promise<OperationResult[]> {
    const results: OperationResult[] = [];
    let NextToken: string | undefined;
    do {
      const out = await aws(`reading StackSet operation results (cloudformation:ListStackSetOperationResults)`, () =>
        this.client.send(new ListStackSetOperationResultsCommand({ StackSetName: name, OperationId: operationId, NextToken })),
      );
      for (const r of out.Summaries ?? []) {
        results.push({ account: r.Account ?? '', region: r.Region ?? '', status: r.Status ?? 'PENDING', reason: r.StatusReason });
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return results;
  }

  async instances(name: string): Promise<StackInstanceSummary[]> {
    const out: StackInstanceSummary[] = [];
    let NextToken: string | undefined;
    do {
      const page = await aws(`listing stack instances of ${name} (cloudformation:ListStackInstances)`, () => this.client.send(new ListStackInstancesCommand({ StackSetName: name, NextToken })));
      for (const s of page.Summaries ?? []) {
        out.push({
          account: s.Account ?? '',
          region: s.Region ?? '',
          status: s.Status ?? 'CURRENT',
          detailedStatus: s.StackInstanceStatus?.DetailedStatus,
          reason: s.StatusReason,
          ou: s.OrganizationalUnitId,
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  /** StackSets run one operation at a time: wait for the running one instead of failing. */
  private async whenIdle<T>(action: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        if (isAwsErrorCode(e, 'OperationInProgressException') && attempt < BUSY_RETRIES) {
          await this.sleep(10_000);
          continue;
        }
        throw toAwsError(e, action);
      }
    }
  }
}

function params(values: Record<string, string>): Parameter[] {
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

function preferences(opts: OperationOptions): StackSetOperationPreferences {
  const p: StackSetOperationPreferences = { RegionConcurrencyType: 'PARALLEL' };
  const mc = opts.maxConcurrent ?? { percentage: 10 };
  if ('percentage' in mc) p.MaxConcurrentPercentage = mc.percentage;
  else p.MaxConcurrentCount = mc.count;
  const ft = opts.failureTolerance ?? { percentage: 0 };
  if ('percentage' in ft) p.FailureTolerancePercentage = ft.percentage;
  else p.FailureToleranceCount = ft.count;
  return p;
}

/** What create and update send alike: a service-managed StackSet that follows the organisation. */
function stackSetSettings(w: StackSetWrite) {
  return {
    StackSetName: w.name,
    Description: w.description,
    TemplateBody: w.templateBody,
    Parameters: params(w.parameters),
    Capabilities: ['CAPABILITY_NAMED_IAM' as const],
    PermissionModel: 'SERVICE_MANAGED' as const,
    AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
    ManagedExecution: { Active: true },
    Tags: Object.entries(w.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}
