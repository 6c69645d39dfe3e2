import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { IAMClient, ListInstanceProfilesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { DescribeParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { runCli, type CliResult } from './helpers/cli.js';

/** One in-process sandbox (moto + Tenable simulator + boot watcher) for a test file, and helpers to read it back. */
export interface LifecycleWorld {
  sandbox: Sandbox;
  dir: string;
  ec2: EC2Client;
  ssm: SSMClient;
  iam: IAMClient;
  cli(args: string[], opts?: { timeoutMs?: number; env?: Record<string, string | undefined> }): Promise<CliResult>;
  fleetFile(name: string, yaml: string): Promise<string>;
  tenable(method: string, path: string, body?: unknown): Promise<unknown>;
  sim(method: string, path: string, body?: unknown): Promise<unknown>;
  scanners(): Promise<Array<{ id: number; uuid: string; name: string; status: string; linked: number }>>;
  instances(
    fleet: string,
    states?: string[],
  ): Promise<Array<{ id: string; state: string; imageId: string; tags: Record<string, string> }>>;
  /** Launches a bare instance carrying the fleet's tags (an "orphan" no run of the tool created). */
  plantInstance(fleet: string, tags: Record<string, string>): Promise<string>;
  terminate(id: string): Promise<void>;
  taggedLeftovers(fleet: string): Promise<string[]>;
  putParameter(name: string, value: string, tags?: Record<string, string>): Promise<void>;
  parameterNames(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startWorld(label: string): Promise<LifecycleWorld> {
  const dir = await mkdtemp(join(tmpdir(), `nessus-byol-${label}-`));
  const sandbox = await startSandbox({ stateDir: join(dir, 'sandbox'), pluginLoadDelayMs: 300, intervalMs: 250 });
  const aws = {
    endpoint: sandbox.motoEndpoint,
    region: sandbox.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const ec2 = new EC2Client(aws);
  const ssm = new SSMClient(aws);
  const iam = new IAMClient(aws);
  const apiKeys = `accessKey=${sandbox.tenable.accessKey}; secretKey=${sandbox.tenable.secretKey}`;
  const call = async (method: string, path: string, body: unknown, auth: boolean) => {
    const res = await fetch(`${sandbox.simulatorUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? { 'X-ApiKeys': apiKeys } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : {};
  };
  const world: LifecycleWorld = {
    sandbox,
    dir,
    ec2,
    ssm,
    iam,
    cli: (args, opts = {}) =>
      runCli(args, { cwd: dir, env: { ...sandbox.env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 120_000 }),
    async fleetFile(name, yaml) {
      const file = join(dir, `${name}.yaml`);
      await writeFile(file, yaml);
      return file;
    },
    tenable: (method, path, body) => call(method, path, body, true),
    sim: (method, path, body) => call(method, path, body, false),
    async scanners() {
      const doc = (await call('GET', '/scanners', undefined, true)) as {
        scanners: Array<{ id: number; uuid: string; name: string; status: string; linked: number }>;
      };
      return doc.scanners;
    },
    async instances(fleet, states = ['pending', 'running', 'stopping', 'stopped']) {
      const out = await ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:nessus-byol:fleet', Values: [fleet] },
            { Name: 'instance-state-name', Values: states },
          ],
        }),
      );
      return (out.Reservations ?? []).flatMap((r) =>
        (r.Instances ?? []).map((i) => ({
          id: i.InstanceId!,
          state: i.State?.Name ?? '',
          imageId: i.ImageId ?? '',
          tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
        })),
      );
    },
    async plantInstance(fleet, tags) {
      const all = { 'nessus-byol:fleet': fleet, 'nessus-byol:managed': 'true', ...tags };
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-0a5e7b0c1d2e3f401',
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [
            { ResourceType: 'instance', Tags: Object.entries(all).map(([Key, Value]) => ({ Key, Value })) },
          ],
        }),
      );
      return out.Instances![0]!.InstanceId!;
    },
    async terminate(id) {
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    },
    /** Everything still carrying the fleet tag in moto: live instances, security groups, roles, profiles, parameters. */
    async taggedLeftovers(fleet) {
      const left: string[] = (await world.instances(fleet)).map((i) => `instance ${i.id}`);
      const sgs = await ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [fleet] }] }),
      );
      left.push(...(sgs.SecurityGroups ?? []).map((g) => `security-group ${g.GroupId}`));
      const roles = await iam.send(new ListRolesCommand({}));
      left.push(
        ...(roles.Roles ?? [])
          .filter((r) => r.RoleName?.startsWith(`nessus-byol-${fleet}-`))
          .map((r) => `role ${r.RoleName}`),
      );
      const profiles = await iam.send(new ListInstanceProfilesCommand({}));
      left.push(
        ...(profiles.InstanceProfiles ?? [])
          .filter((p) => p.InstanceProfileName?.startsWith(`nessus-byol-${fleet}-`))
          .map((p) => `profile ${p.InstanceProfileName}`),
      );
      left.push(
        ...(await world.parameterNames())
          .filter((n) => n.startsWith(`/nessus-byol/${fleet}/`))
          .map((n) => `parameter ${n}`),
      );
      return left;
    },
    async putParameter(name, value, tags = {}) {
      await ssm.send(
        new PutParameterCommand({
          Name: name,
          Value: value,
          Type: 'SecureString',
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    },
    async parameterNames() {
      const names: string[] = [];
      let NextToken: string | undefined;
      do {
        const out = await ssm.send(new DescribeParametersCommand({ NextToken }));
        names.push(...(out.Parameters ?? []).map((p) => p.Name!));
        NextToken = out.NextToken;
      } while (NextToken);
      return names;
    },
    async stop() {
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** A small fleet for the sandbox: short waits, pinned AMI. */
export function fleetYaml(
  fleet: string,
  opts: { count?: number; ami?: string; groups?: string[]; key?: string; timeout?: string } = {},
): string {
  return [
    'version: 1',
    `fleet: ${fleet}`,
    'region: us-east-1',
    `scanners: { count: ${opts.count ?? 1}, instanceType: t3.medium }`,
    `ami: { id: ${opts.ami ?? 'ami-0a5e7b0c1d2e3f401'} }`,
    `link: { groups: [${(opts.groups ?? []).map((g) => JSON.stringify(g)).join(', ')}]${opts.key ? `, key: ${opts.key}` : ''} }`,
    `wait: { timeout: ${opts.timeout ?? '60s'}, interval: 1s }`,
    '',
  ].join('\n');
}
