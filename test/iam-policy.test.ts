import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REQUIRED_PERMISSIONS } from '../src/adapters/aws/required-permissions.js';
import { buildIamPolicy, fleetPolicyTarget, policyActions, type PolicyTarget } from '../src/app/iam-policy.js';
import { resolveValidated, type ResolvedConfig } from '../src/config/resolve.js';
import { validateFleetText } from '../src/config/validate.js';
import type { PolicyDocument } from '../src/core/instance-role.js';
import { REPO_ROOT, parseSingleJson, runCli } from './helpers/cli.js';

const AWS_DIR = join(REPO_ROOT, 'src/adapters/aws');

/** SDK package → IAM service prefix. */
const SERVICE: Record<string, string> = {
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-securityhub': 'securityhub',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-cloudformation': 'cloudformation',
};

/** Waiters poll one action; their names do not say which. */
const WAITER_ACTIONS: Record<string, string> = {
  waitUntilInstanceTerminated: 'ec2:DescribeInstances',
  waitUntilRoleExists: 'iam:GetRole',
  waitUntilInstanceProfileExists: 'iam:GetInstanceProfile',
};

interface SdkCall {
  owner: string;
  call: string;
  /** The IAM action the call itself maps to. */
  action: string;
  file: string;
}

/** Every `new XxxCommand(`, `waitUntilXxx(` and `paginateXxx(` in a gateway file, by enclosing method. */
function sdkCalls(file: string): SdkCall[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const imported = new Map<string, string>();
  for (const st of sf.statements) {
    if (
      ts.isImportDeclaration(st) &&
      ts.isStringLiteral(st.moduleSpecifier) &&
      st.importClause?.namedBindings &&
      ts.isNamedImports(st.importClause.namedBindings)
    ) {
      for (const el of st.importClause.namedBindings.elements) imported.set(el.name.text, st.moduleSpecifier.text);
    }
  }
  const calls: SdkCall[] = [];
  const visit = (node: ts.Node, owner: string) => {
    let o = owner;
    if (
      (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node)) &&
      node.parent &&
      ts.isClassDeclaration(node.parent)
    ) {
      o = `${node.parent.name?.text ?? '(class)'}.${node.name.getText(sf)}`;
    } else if (ts.isFunctionDeclaration(node) && node.parent === sf && node.name) {
      o = node.name.text;
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.parent.parent.parent === sf) {
      o = node.name.text;
    }
    const callee = ts.isNewExpression(node) || ts.isCallExpression(node) ? node.expression : undefined;
    if (callee && ts.isIdentifier(callee)) {
      const name = callee.text;
      const service = SERVICE[imported.get(name) ?? ''];
      if (
        service &&
        ((ts.isNewExpression(node) && name.endsWith('Command')) || /^(waitUntil|paginate)[A-Z]/.test(name))
      ) {
        const action = name.startsWith('waitUntil')
          ? (WAITER_ACTIONS[name] ?? `unknown waiter ${name}: add it to WAITER_ACTIONS`)
          : `${service}:${name.replace(/^paginate/, '').replace(/Command$/, '')}`;
        calls.push({ owner: o, call: name, action, file: relative(REPO_ROOT, file) });
      }
    }
    ts.forEachChild(node, (c) => visit(c, o));
  };
  visit(sf, '(module)');
  return calls;
}

function gatewayCalls(): SdkCall[] {
  return readdirSync(AWS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .flatMap((f) => sdkCalls(join(AWS_DIR, f)));
}

function srcFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? srcFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function fleet(yaml: string, region?: string): ResolvedConfig {
  const text = `version: 1\n${region ? `region: ${region}\n` : ''}${yaml}`;
  return resolveValidated(validateFleetText('fleet.yaml', text), { file: 'fleet.yaml', flags: {}, env: {} });
}

const statements = (doc: PolicyDocument) => doc.Statement;
const resources = (s: PolicyDocument['Statement'][number]) =>
  Array.isArray(s.Resource) ? s.Resource : [s.Resource ?? ''];
const actionsOf = (s: PolicyDocument['Statement'][number]) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** Actions AWS offers no resource-level permissions for (they may only use Resource "*"). */
const UNSCOPABLE = /^(ec2:Describe[A-Za-z]+|sts:GetCallerIdentity|iam:ListUsers)$/;
const IAM_WRITE = /^iam:(Create|Delete|Put|Attach|Detach|Add|Remove|Tag|Untag|Update|Pass)/;

describe('required-permissions table (no drift from the gateways)', () => {
  const calls = gatewayCalls();

  it('finds the SDK calls of the gateways', () => {
    expect(calls.length).toBeGreaterThan(40);
    expect(calls.some((c) => c.call === 'RunInstancesCommand')).toBe(true);
    expect(calls.some((c) => c.call === 'waitUntilInstanceTerminated')).toBe(true);
  });

  it('every gateway method that calls AWS has an entry listing exactly its calls', () => {
    const byOwner = new Map<string, Set<string>>();
    for (const c of calls) byOwner.set(c.owner, (byOwner.get(c.owner) ?? new Set()).add(c.call));
    const missing = [...byOwner.keys()]
      .filter((o) => !REQUIRED_PERMISSIONS[o])
      .map((o) => `${o} (${[...byOwner.get(o)!].join(', ')})`);
    expect(missing, 'add these methods to src/adapters/aws/required-permissions.ts').toEqual([]);
    for (const [owner, set] of byOwner) {
      expect([...REQUIRED_PERMISSIONS[owner]!.calls].sort(), `${owner}: calls`).toEqual([...set].sort());
    }
    const stale = Object.keys(REQUIRED_PERMISSIONS).filter((k) => !byOwner.has(k));
    expect(stale, 'entries for methods that no longer call AWS').toEqual([]);
  });

  it("each call's own action is granted by its method's entry", () => {
    const problems = calls
      .filter((c) => !REQUIRED_PERMISSIONS[c.owner]?.grants.some((g) => g.actions.includes(c.action)))
      .map((c) => `${c.file} ${c.owner}: ${c.call} needs ${c.action}`);
    expect(problems).toEqual([]);
  });

  it('actions are well-formed service:Action names', () => {
    for (const e of Object.values(REQUIRED_PERMISSIONS)) {
      for (const g of e.grants) for (const a of g.actions) expect(a).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]*\*?$/);
    }
  });

  it('code outside the gateways (and the sandbox) sends no SDK commands of its own', () => {
    const offenders = srcFiles(join(REPO_ROOT, 'src'))
      .filter((f) => !f.includes('/adapters/aws/') && !f.includes('/sandbox/') && !f.endsWith('.test.ts'))
      .flatMap((f) => sdkCalls(f).map((c) => `${c.file}: ${c.call}`));
    expect(offenders).toEqual([]);
  });
});

describe('the policy document is scoped', () => {
  const minimal = fleet('fleet: prod\nscanners: { count: 2 }\n', 'us-east-1');
  const doc = buildIamPolicy(fleetPolicyTarget(minimal, { features: ['fleet'] })).document;

  it('covers every action of the fleet methods (a fleet using every input)', () => {
    const full = fleet(
      [
        'fleet: prod',
        'scanners: { volume: { kmsKeyId: alias/ebs } }',
        'link: { key: { from: secretsmanager, secretId: nessus/linking-key } }',
        'access: { keyPair: create }',
      ].join('\n'),
      'us-east-1',
    );
    const fullDoc = buildIamPolicy(fleetPolicyTarget(full, { features: ['fleet'] })).document;
    const expected = [
      ...new Set(
        Object.values(REQUIRED_PERMISSIONS)
          .filter((e) => e.feature === 'fleet')
          .flatMap((e) => e.grants.flatMap((g) => g.actions)),
      ),
    ];
    expect(policyActions(fullDoc)).toEqual(expected.sort());
    // The minimal fleet creates no key pair, reads no secret and uses the default EBS key.
    expect(
      policyActions(doc).filter((a) => /KeyPair$|^secretsmanager:|^kms:/.test(a) && a !== 'ec2:DescribeKeyPairs'),
    ).toEqual([]);
  });

  it('uses Resource "*" only for actions AWS cannot scope', () => {
    for (const s of statements(doc)) {
      if (resources(s).includes('*') && !s.Condition)
        expect(
          actionsOf(s).filter((a) => !UNSCOPABLE.test(a)),
          `statement ${s.Sid}`,
        ).toEqual([]);
    }
  });

  it('IAM write actions name the fleet role / instance profile, never *', () => {
    const iamWrites = statements(doc).filter((s) => actionsOf(s).some((a) => IAM_WRITE.test(a)));
    expect(iamWrites.length).toBeGreaterThan(0);
    for (const s of iamWrites) {
      for (const r of resources(s)) {
        expect(r).not.toBe('*');
        expect(r).toMatch(/^arn:aws:iam::\*:(role|instance-profile)\/nessus-byol-prod-us-east-1$/);
      }
    }
  });

  it('iam:PassRole is limited to the fleet role and to EC2', () => {
    const pass = statements(doc).filter((s) => actionsOf(s).includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(actionsOf(pass[0]!)).toEqual(['iam:PassRole']);
    expect(pass[0]!.Resource).toBe('arn:aws:iam::*:role/nessus-byol-prod-us-east-1');
    expect(pass[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
  });

  it('EC2 changes are bound to the fleet tag: in the request when creating, on the resource otherwise', () => {
    const tagOf = (s: PolicyDocument['Statement'][number], kind: string) =>
      s.Condition?.StringEquals?.[`aws:${kind}/nessus-byol:fleet`];
    for (const s of statements(doc)) {
      const acts = actionsOf(s);
      if (
        acts.some((a) =>
          /^ec2:(TerminateInstances|DeleteSecurityGroup|AuthorizeSecurityGroup|RevokeSecurityGroup|GetConsoleOutput|DeleteKeyPair)/.test(
            a,
          ),
        )
      ) {
        expect(tagOf(s, 'ResourceTag'), `statement ${s.Sid}`).toBe('prod');
      }
      if (acts.includes('ec2:CreateSecurityGroup') && resources(s).some((r) => r.includes(':security-group/')))
        expect(tagOf(s, 'RequestTag')).toBe('prod');
      if (
        acts.includes('ec2:RunInstances') &&
        resources(s).some((r) => /:(instance|volume|network-interface)\//.test(r))
      )
        expect(tagOf(s, 'RequestTag')).toBe('prod');
      if (acts.includes('ec2:RunInstances') && resources(s).some((r) => r.includes(':security-group/')))
        expect(tagOf(s, 'ResourceTag')).toBe('prod');
      if (acts.includes('ec2:CreateTags') && !tagOf(s, 'ResourceTag')) {
        expect(
          s.Condition?.StringEquals?.['ec2:CreateAction'],
          `CreateTags in ${s.Sid} only when creating`,
        ).toBeDefined();
      }
    }
  });

  it("SSM access stays under the fleet's own parameter path", () => {
    const ssm = statements(doc).filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
    expect(ssm.length).toBeGreaterThan(0);
    for (const s of ssm)
      for (const r of resources(s)) expect(r).toBe('arn:aws:ssm:us-east-1:*:parameter/nessus-byol/prod/*');
  });

  it('adds exactly the fleet inputs: its SSM key parameter, key pair, subnets, pinned AMI and KMS key', () => {
    const c = fleet(
      [
        'fleet: prod',
        'scanners: { subnetIds: [subnet-0abc1234], volume: { kmsKeyId: alias/ebs } }',
        'ami: { id: ami-0abc1234 }',
        'link: { key: { from: ssm, parameter: /secops/nessus-key } }',
        'access: { keyPair: create }',
      ].join('\n'),
      'eu-west-1',
    );
    const d = buildIamPolicy(fleetPolicyTarget(c, { account: '123456789012', features: ['fleet'] })).document;
    const all = statements(d).flatMap(resources);
    expect(all).toContain('arn:aws:ssm:eu-west-1:123456789012:parameter/secops/nessus-key');
    expect(all).toContain('arn:aws:ec2:eu-west-1:123456789012:key-pair/nessus-byol-prod');
    expect(all).toContain('arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0abc1234');
    expect(all).toContain('arn:aws:ec2:eu-west-1::image/ami-0abc1234');
    const write = statements(d).find((s) => actionsOf(s).includes('ssm:PutParameter'))!;
    expect(resources(write)).toEqual(['arn:aws:ssm:eu-west-1:123456789012:parameter/nessus-byol/prod/*']);
    const kms = statements(d).find((s) => actionsOf(s).includes('kms:CreateGrant'))!;
    expect(kms.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/ebs' } });
    expect(all.every((r) => r === '*' || r.includes(':123456789012:') || r.includes('::image/'))).toBe(true);
  });

  it('is partition-aware (GovCloud, China)', () => {
    const gov = buildIamPolicy(
      fleetPolicyTarget(fleet('fleet: gov\n', 'us-gov-west-1'), { features: ['fleet'] }),
    ).document;
    for (const r of statements(gov).flatMap(resources)) if (r !== '*') expect(r).toMatch(/^arn:aws-us-gov:/);
    const cn = buildIamPolicy(fleetPolicyTarget(fleet('fleet: cn\n', 'cn-north-1'), { features: ['fleet'] })).document;
    const pass = statements(cn).find((s) => actionsOf(s).includes('iam:PassRole'))!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com.cn' } });
    expect(pass.Resource).toBe('arn:aws-cn:iam::*:role/nessus-byol-cn-cn-north-1');
  });

  it('without a fleet: any fleet by name prefix and tag presence', () => {
    const target: PolicyTarget = { partition: 'aws', region: '*', account: '*', features: ['fleet'] };
    const { document, notes } = buildIamPolicy(target);
    const pass = statements(document).find((s) => actionsOf(s).includes('iam:PassRole'))!;
    expect(pass.Resource).toBe('arn:aws:iam::*:role/nessus-byol-*');
    for (const s of statements(document).filter((x) => actionsOf(x).some((a) => IAM_WRITE.test(a)))) {
      for (const r of resources(s)) expect(r).toMatch(/:(role|instance-profile)\/nessus-byol-\*$/);
    }
    const terminate = statements(document).find((s) => actionsOf(s).includes('ec2:TerminateInstances'))!;
    expect(terminate.Condition).toEqual({ StringLike: { 'aws:ResourceTag/nessus-byol:fleet': '*' } });
    expect(notes.join(' ')).toMatch(/-f fleet\.yaml/);
  });

  it('an existing instance profile widens PassRole (still EC2 only) and says so', () => {
    const c = fleet('fleet: prod\niam: { instanceProfile: my-scanner-profile }\n', 'us-east-1');
    const { document, notes } = buildIamPolicy(fleetPolicyTarget(c, { features: ['fleet'] }));
    const pass = statements(document).find((s) => actionsOf(s).includes('iam:PassRole'))!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
    expect(notes.join(' ')).toContain('my-scanner-profile');
  });

  it('fits in one managed policy (6,144 characters)', () => {
    expect(JSON.stringify(doc).length).toBeLessThan(6144);
    const generic = buildIamPolicy({ partition: 'aws', region: '*', account: '*', features: ['fleet'] }).document;
    expect(JSON.stringify(generic).length).toBeLessThan(6144);
  });

  it('audit, sechub and org are opt-in and scoped too', () => {
    const { document } = buildIamPolicy({
      partition: 'aws',
      region: 'us-east-1',
      account: '*',
      features: ['fleet', 'audit', 'sechub', 'org'],
    });
    for (const s of statements(document)) {
      if (resources(s).includes('*') && !s.Condition)
        expect(
          actionsOf(s).filter((a) => !UNSCOPABLE.test(a)),
          `statement ${s.Sid}`,
        ).toEqual([]);
    }
    expect(policyActions(document)).toContain('cloudformation:CreateStackSet');
    const acts = policyActions(document);
    expect(acts).toContain('iam:CreateAccessKey');
    expect(acts).toContain('securityhub:BatchImportFindings');
    expect(policyActions(doc)).not.toContain('iam:CreateAccessKey');
    const attach = statements(document).find((s) => actionsOf(s).includes('iam:AttachGroupPolicy'))!;
    expect(attach.Condition?.ArnEquals?.['iam:PolicyARN']).toEqual([
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::aws:policy/SecurityAudit',
    ]);
    for (const s of statements(document).filter((x) => actionsOf(x).some((a) => IAM_WRITE.test(a))))
      expect(resources(s)).not.toContain('*');
  });
});

describe('iam-policy command', () => {
  it('--help has examples', async () => {
    const r = await runCli(['iam-policy', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
  });

  it('prints the document on stdout, notes on stderr', async () => {
    const r = await runCli(['iam-policy', '--region', 'us-east-1']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as PolicyDocument;
    expect(doc.Version).toBe('2012-10-17');
    expect(r.stderr).toContain('any fleet');
  });

  it('-f scopes it to the fleet; --json prints one document', async () => {
    const r = await runCli(['iam-policy', '-f', 'examples/minimal.yaml', '--account', '123456789012', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseSingleJson(r.stdout) as {
      ok: boolean;
      policy: PolicyDocument;
      scope: { fleet: string; account: string };
    };
    expect(doc.ok).toBe(true);
    expect(doc.scope).toMatchObject({ fleet: 'minimal', account: '123456789012' });
    expect(JSON.stringify(doc.policy)).toContain('role/nessus-byol-minimal-us-east-1');
  });

  it('bad flags exit 2 naming them all', async () => {
    const r = await runCli(['iam-policy', '--account', '12', '--include', 'nope', '--json']);
    expect(r.code).toBe(2);
    const doc = parseSingleJson(r.stdout) as { error: { message: string } };
    expect(doc.error.message).toContain('--account');
    expect(doc.error.message).toContain('--include');
  });

  it('a missing fleet file given with -f exits 2', async () => {
    const r = await runCli(['iam-policy', '-f', 'does-not-exist.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does-not-exist.yaml');
  });
});
