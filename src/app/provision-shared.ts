import { Ec2ScanGateway } from '../adapters/aws/ec2-scan.js';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import type { ResolvedConfig } from '../config/resolve.js';
import { RuntimeError, UsageError } from '../core/errors.js';
import { fleetTags } from '../core/naming.js';
import type { Plan } from '../core/plan.js';
import type { Secret } from '../core/secret.js';
import { linkingKeyStore } from '../core/user-data.js';
import type { AwsGateways } from './gateways.js';
import type { Journal } from './journal.js';

export interface StepReporter {
  (id: string, title: string, status: 'running' | 'done' | 'skipped', detail?: string): void;
}

/** Checks local files before anything in AWS is touched (exit 2). */
export async function preflightAccess(plan: Plan): Promise<void> {
  const kp = plan.keyPair;
  if (kp?.action === 'create' && kp.mode === 'create' && kp.privateKeyPath) {
    if (await exists(kp.privateKeyPath)) {
      throw new UsageError(`The private key file ${kp.privateKeyPath} already exists; nessus-byol never overwrites a key file.`, {
        hint: 'move it away, or set access.privateKeyPath to a new path, or use `keyPair: { name: <existing> }`',
      });
    }
  }
  if (kp?.action === 'create' && kp.mode === 'import' && kp.publicKeyPath) {
    await readPublicKey(kp.publicKeyPath);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

async function readPublicKey(path: string): Promise<string> {
  const expanded = path.replace(/^~(?=\/)/, process.env.HOME ?? '~');
  let text: string;
  try {
    text = await readFile(expanded, 'utf8');
  } catch {
    throw new UsageError(`Cannot read the public key ${path} (access.keyPair.import).`, { hint: 'point import at an OpenSSH public key file, e.g. ~/.ssh/id_ed25519.pub' });
  }
  if (!/^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/.test(text.trim())) {
    throw new UsageError(`${path} is not an OpenSSH public key (access.keyPair.import).`, { hint: 'use the .pub file (ssh-ed25519 or ssh-rsa), never the private key' });
  }
  return text.trim();
}

/** Writes the linking key into the SSM SecureString the instances read (tenable-api / env sources). */
export async function storeLinkingKey(config: ResolvedConfig, aws: AwsGateways, key: Secret, journal: Journal): Promise<'created' | 'updated' | 'not-needed'> {
  const store = linkingKeyStore(config);
  if (!store || store.from !== 'ssm' || (config.link.key.from !== 'tenable-api' && config.link.key.from !== 'env')) return 'not-needed';
  const result = await aws.ssm.putSecure(store.parameter, key, {
    tags: fleetTags(config.fleet, {}),
    overwrite: true,
    description: `Tenable linking key for nessus-byol fleet ${config.fleet}`,
  });
  if (result === 'created') journal.record({ kind: 'ssm-parameter', id: store.parameter, undo: () => aws.ssm.delete(store.parameter) });
  return result;
}

export async function ensureSecurityGroup(plan: Plan, aws: AwsGateways, vpcId: string | undefined, journal: Journal): Promise<{ id: string; created: boolean }> {
  const sg = plan.securityGroup;
  // scan.egress: added to a new group and to an existing one alike (rules it has are kept).
  const scanEgress = (id: string) => (sg.scanEgress.length ? new Ec2ScanGateway(aws.ec2.client).authorizeScanEgress(id, sg.scanEgress) : undefined);
  if (sg.id) {
    await scanEgress(sg.id);
    return { id: sg.id, created: false };
  }
  if (!vpcId) throw new RuntimeError('NO_VPC', 'The VPC for the security group was not looked up.', { hint: 'this is a bug: please report it' });
  const id = await aws.ec2.createSecurityGroup({
    name: sg.name,
    description: `Nessus scanners of nessus-byol fleet ${plan.fleet}`,
    vpcId,
    tags: sg.tags,
    ingress: sg.ingress,
    egress: sg.egress,
  });
  journal.record({ kind: 'security-group', id, undo: () => aws.ec2.deleteSecurityGroup(id) });
  await scanEgress(id);
  return { id, created: true };
}

export async function ensureKeyPair(plan: Plan, aws: AwsGateways, journal: Journal): Promise<{ name?: string; created: boolean }> {
  const kp = plan.keyPair;
  if (!kp) return { created: false };
  if (kp.action !== 'create') return { name: kp.name, created: false };
  const tags = fleetTags(plan.fleet, { Name: kp.name });
  if (kp.mode === 'import') {
    await aws.ec2.importKeyPair(kp.name, await readPublicKey(kp.publicKeyPath!), tags);
    journal.record({ kind: 'key-pair', id: kp.name, undo: () => aws.ec2.deleteKeyPair(kp.name) });
    return { name: kp.name, created: true };
  }
  const material = await aws.ec2.createKeyPair(kp.name, tags);
  journal.record({ kind: 'key-pair', id: kp.name, undo: () => aws.ec2.deleteKeyPair(kp.name) });
  try {
    await writeFile(kp.privateKeyPath!, material.endsWith('\n') ? material : `${material}\n`, { mode: 0o400, flag: 'wx' });
  } catch (e) {
    throw new RuntimeError('KEY_FILE', `Could not write the private key to ${kp.privateKeyPath}: ${(e as Error).message}.`, {
      hint: 'choose a writable access.privateKeyPath that does not exist yet',
    });
  }
  journal.record({ kind: 'file', id: kp.privateKeyPath!, undo: () => unlink(kp.privateKeyPath!).catch(() => undefined) });
  return { name: kp.name, created: true };
}

export async function ensureInstanceRole(
  plan: Plan,
  aws: AwsGateways,
  journal: Journal,
  existing: { role: boolean; instanceProfile: boolean },
): Promise<{ profile: string; created: boolean }> {
  const iam = plan.iam;
  if (iam.mode === 'existing' || iam.action === 'keep') return { profile: iam.instanceProfileName, created: false };
  const roleExists = existing.role;
  const profileExists = existing.instanceProfile;
  journal.record({
    kind: 'iam',
    id: iam.roleName,
    undo: async () => {
      if (!roleExists) await aws.iam.deleteRoleAndProfile(iam.roleName, iam.instanceProfileName);
      else if (!profileExists) await aws.iam.deleteInstanceProfile(iam.instanceProfileName, iam.roleName);
    },
  });
  if (!roleExists) {
    await aws.iam.createRole({ name: iam.roleName, trust: iam.trustPolicy, inline: iam.inlinePolicy, managed: iam.managedPolicies, tags: iam.tags });
  }
  if (!profileExists) await aws.iam.createInstanceProfile(iam.instanceProfileName, iam.roleName, iam.tags);
  return { profile: iam.instanceProfileName, created: true };
}
