import type { FleetInstance } from '../adapters/aws/ec2.js';
import { createTenableClient, type TenableClient } from '../adapters/tenable/client.js';
import { resolveValidated, type ResolvedConfig } from '../config/resolve.js';
import { validateFleetText } from '../config/validate.js';
import { Secret } from '../core/secret.js';
import type { AwsGateways } from './gateways.js';

/**
 * In-memory AWS gateways for the `down`/`reconcile` unit tests that keep the real APIs' semantics
 * (tags, ParameterAlreadyExists, overwrite keeps tags, terminated instances keep their tags), and a
 * Tenable HTTP API behind the real client (its retries, error mapping, 404 = gone): connection
 * refused, 404 with Tenable's JSON body, 401. The e2e tests use moto and the simulator.
 */

export const FLEET = 'prod';
export const config: ResolvedConfig = resolveValidated(
  validateFleetText('fleet.yaml', `version: 1\nfleet: ${FLEET}\nregion: us-east-1\n`),
  { file: 'fleet.yaml', flags: {}, env: {} },
);
export const owned = { 'nessus-byol:fleet': FLEET, 'nessus-byol:managed': 'true' };

export class FakeAws {
  instances: FleetInstance[] = [];
  groups: Array<{ id: string; name: string; vpcId: string; tags: Record<string, string> }> = [];
  roles = new Map<string, Record<string, string>>();
  profiles = new Set<string>();
  keyPairs = new Map<string, Record<string, string>>();
  params = new Map<string, { value: string; tags: Record<string, string> }>();
  calls: string[] = [];

  gateways(): AwsGateways {
    const ec2 = {
      fleetInstances: async (fleet: string, states: string[]) =>
        this.instances.filter((i) => i.tags['nessus-byol:fleet'] === fleet && states.includes(i.state)),
      terminate: async (ids: string[]) => {
        this.calls.push(`terminate ${ids.join(',')}`);
        for (const i of this.instances) if (ids.includes(i.instanceId)) i.state = 'terminated';
      },
      waitTerminated: async () => undefined,
      fleetSecurityGroups: async (fleet: string) => this.groups.filter((g) => g.tags['nessus-byol:fleet'] === fleet),
      deleteSecurityGroup: async (id: string) => {
        this.calls.push(`delete-sg ${id}`);
        this.groups = this.groups.filter((g) => g.id !== id);
      },
      keyPairTags: async (name: string) => this.keyPairs.get(name) ?? null,
      deleteKeyPair: async (name: string) => void this.keyPairs.delete(name),
    };
    const iam = {
      roleTags: async (name: string) => this.roles.get(name) ?? null,
      instanceProfileExists: async (name: string) => this.profiles.has(name),
      deleteRoleAndProfile: async (role: string, profile: string) => {
        this.calls.push(`delete-role ${role}`);
        this.roles.delete(role);
        this.profiles.delete(profile);
      },
    };
    const ssm = {
      exists: async (name: string) => this.params.has(name),
      tags: async (name: string) => this.params.get(name)?.tags ?? {},
      readPlain: async (name: string) => this.params.get(name)?.value ?? null,
      putIfAbsent: async (name: string, value: string, tags: Record<string, string>) => {
        if (this.params.has(name)) return false;
        this.params.set(name, { value, tags });
        return true;
      },
      putPlain: async (name: string, value: string, tags: Record<string, string>) => {
        this.calls.push(`put ${name}`);
        const had = this.params.get(name);
        this.params.set(name, { value, tags: had?.tags ?? tags }); // overwrite keeps the tags
        return had ? 'updated' : 'created';
      },
      delete: async (name: string) => {
        this.calls.push(`delete-param ${name}`);
        this.params.delete(name);
      },
    };
    return {
      ec2,
      iam,
      ssm,
      secrets: {},
      identity: async () => ({ account: '1', arn: 'arn' }),
    } as unknown as AwsGateways;
  }

  /** What `up` leaves: tagged instances, the security group, role + profile, the stored linking key. */
  seedFleet(records: Array<{ instanceId: string; id?: number; uuid?: string }>): void {
    for (const r of records)
      this.instances.push({
        instanceId: r.instanceId,
        state: 'running',
        instanceType: 'm5.xlarge',
        imageId: 'ami-1',
        tags: {
          ...owned,
          'nessus-byol:scanner-name': `${FLEET}-${r.instanceId}`,
          ...(r.id !== undefined ? { 'nessus-byol:scanner-id': String(r.id) } : {}),
          ...(r.uuid !== undefined ? { 'nessus-byol:scanner-uuid': r.uuid } : {}),
        },
      });
    this.groups.push({ id: 'sg-1', name: `nessus-byol-${FLEET}`, vpcId: 'vpc-1', tags: owned });
    this.roles.set(`nessus-byol-${FLEET}-us-east-1`, owned);
    this.profiles.add(`nessus-byol-${FLEET}-us-east-1`);
    this.params.set(`/nessus-byol/${FLEET}/linking-key`, { value: 'k', tags: owned });
  }

  live(): string[] {
    return this.instances.filter((i) => i.state !== 'terminated').map((i) => i.instanceId);
  }
}

export type TenableMode = 'ok' | 'refused' | '401';

/** Tenable's behaviour over HTTP, seen through the real client (its retries, error mapping, 404 = gone). */
export class FakeTenableApi {
  scanners = new Map<number, { id: number; uuid: string; name: string }>();
  mode: TenableMode = 'ok';
  requests: string[] = [];

  client(): TenableClient {
    return createTenableClient({
      baseUrl: 'https://cloud.tenable.com',
      accessKey: new Secret('a'.repeat(64), 'TIO_ACCESS_KEY'),
      secretKey: new Secret('b'.repeat(64), 'TIO_SECRET_KEY'),
      version: 'test',
      fetchImpl: (async (url: string, init: RequestInit) => this.answer(String(url), init)) as typeof fetch,
      sleep: async () => undefined,
      random: () => 0,
    });
  }

  answer(url: string, init: RequestInit): Response {
    const method = init.method ?? 'GET';
    const path = new URL(url).pathname;
    this.requests.push(`${method} ${path}`);
    if (this.mode === 'refused') {
      const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
      throw new TypeError('fetch failed', { cause });
    }
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
    if (this.mode === '401')
      return json(401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid Credentials' });
    if (method === 'GET' && path === '/scanners')
      return json(200, {
        scanners: [...this.scanners.values()].map((s) => ({
          ...s,
          type: 'managed',
          status: 'on',
          linked: 1,
          last_connect: 1767916800,
          loaded_plugin_set: '202601010000',
        })),
      });
    const m = /^\/scanners\/(\d+)$/.exec(path);
    if (method === 'DELETE' && m) {
      const id = Number(m[1]);
      if (!this.scanners.delete(id))
        return json(404, { statusCode: 404, error: 'Not Found', message: `Scanner with id ${id} not found.` });
      return json(200, {});
    }
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Route not found' });
  }
}
