import { z } from 'zod';

/**
 * The fleet file schema — the single source of truth for the TypeScript type, validation, the JSON
 * Schema printed by `nessus-byol schema` and the wizard's defaults. Names are stable from version 1 on.
 * Every string that ends up in user-data or AWS names is restricted to a safe character set here.
 */

export const BYOL_PRODUCT_CODE = '8fn69npzmbzcs4blc4583jd0y';
export const PREAUTHORIZED_PRODUCT_CODE = '4m4uvwtrl5t872c56wb131ttw';
export const MARKETPLACE_OWNER_ID = '679593333241';
/** Where editors find the schema: the published package ships schema/fleet.schema.json. */
export const SCHEMA_URL = 'https://unpkg.com/nessus-byol/schema/fleet.schema.json';

const REGION_RE = /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso|us-isob)-[a-z]+(-[a-z]+)?-\d$/;
const FLEET_RE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const NAME_TEMPLATE_RE = /^(?:[A-Za-z0-9._-]|\{(?:fleet|region|index|instanceId)\})+$/;
const HOST_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SSM_NAME_RE = /^\/?[A-Za-z0-9_.\-/]{1,1011}$/;
const SECRET_ID_RE = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
const SAFE_USER_RE = /^[A-Za-z0-9._@%+-]{1,128}$/;
const DURATION_RE = /^\d+(?:ms|s|m|h)$/;
const TAG_KEY_RE = /^[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u;
const TAG_VALUE_RE = /^[\p{L}\p{N}\s_.:/=+\-@]{0,256}$/u;

export const regionSchema = z
  .string()
  .regex(REGION_RE, 'not an AWS region name (e.g. us-east-1, eu-west-2, us-gov-west-1)')
  .describe('AWS region. GovCloud (us-gov-*) is supported; ARNs follow the partition.');

export const durationSchema = z
  .string()
  .regex(DURATION_RE, 'a duration such as 90s, 20m or 1h')
  .describe('A duration: a number followed by ms, s, m or h.');

const cidrSchema = z
  .string()
  // The pattern also reaches the JSON Schema (editors); the refinement checks the octets and prefix.
  .regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}\/(?:3[0-2]|[12]?\d)|[0-9a-fA-F:]+\/(?:12[0-8]|1[01]\d|[1-9]?\d))$/, { message: 'not a CIDR block (e.g. 203.0.113.0/24 or 2001:db8::/32)', abort: true })
  .refine(isCidr, 'not a CIDR block (e.g. 203.0.113.0/24 or 2001:db8::/32)')
  .describe('An IPv4 or IPv6 CIDR block.');

const hostSchema = z.string().regex(HOST_RE, 'not a host name (letters, digits, dots and dashes)');
const portSchema = z.number().int().min(1).max(65535);

/** Where a secret comes from. Secret values themselves are never accepted in the file. */
const ssmSource = z
  .object({
    from: z.literal('ssm'),
    parameter: z.string().regex(SSM_NAME_RE, 'an SSM parameter name such as /nessus/linking-key'),
  })
  .strict();
const secretsManagerSource = z
  .object({
    from: z.literal('secretsmanager'),
    secretId: z.string().regex(SECRET_ID_RE, 'a Secrets Manager secret name or ARN'),
  })
  .strict();
const envSource = z
  .object({
    from: z.literal('env'),
    /** SSM parameter the tool stores the value in for the instances; defaults to one the fleet owns. */
    parameter: z.string().regex(SSM_NAME_RE).optional(),
  })
  .strict();
const tenableApiSource = z
  .object({
    from: z.literal('tenable-api'),
    parameter: z.string().regex(SSM_NAME_RE).optional(),
  })
  .strict();

export const linkingKeySourceSchema = z
  .discriminatedUnion('from', [ssmSource, secretsManagerSource, tenableApiSource, envSource])
  .describe(
    'Where the linking key comes from: ssm (SecureString parameter), secretsmanager, tenable-api (read at provision time and stored in an SSM SecureString the fleet owns) or env (NESSUS_LINKING_KEY, stored likewise).',
  );

/** Proxy password and activation code: stored secrets only. */
export const storedSecretSourceSchema = z.discriminatedUnion('from', [ssmSource, secretsManagerSource]);

const tenableSchema = z
  .object({
    site: z
      .enum(['cloud', 'fedramp', 'custom'])
      .default('cloud')
      .describe('cloud → cloud.tenable.com (--cloud); fedramp → fedcloud.tenable.com; custom → url/linkHost/linkPort'),
    url: z.url({ protocol: /^https?$/ }).optional().describe('API base URL (custom site only).'),
    linkHost: hostSchema.optional().describe('Host scanners link to (custom site only).'),
    linkPort: portSchema.optional().describe('Port scanners link to (custom site only; default 443).'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.site !== 'custom') {
      for (const k of ['url', 'linkHost', 'linkPort'] as const) {
        if (t[k] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `\`${k}\` applies only to \`site: custom\`; the ${t.site} site fixes its own endpoints`,
          });
        }
      }
    } else if (!t.linkHost) {
      ctx.addIssue({ code: 'custom', path: ['linkHost'], message: '`site: custom` needs `linkHost`' });
    }
  });

const instanceTypeSchema = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type such as m5.xlarge');

const volumeSchema = z
  .object({
    sizeGiB: z.number().int().min(30).max(16384).default(50).describe('Root volume size (GiB); always encrypted gp3.'),
    kmsKeyId: z
      .string()
      .regex(/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f-]{36})$/, 'a KMS key id, alias or ARN')
      .optional()
      .describe('KMS key for the root volume; the account default EBS key when omitted.'),
  })
  .strict();

const scannerEntrySchema = z
  .object({
    name: z.string().regex(NAME_TEMPLATE_RE).optional(),
    instanceType: instanceTypeSchema.optional(),
    subnetId: z.string().regex(/^subnet-[0-9a-f]{8,17}$/).optional(),
  })
  .strict();

const scannersSchema = z
  .object({
    count: z.number().int().min(1, 'at least 1 scanner').max(100).default(1).describe('Number of identical scanners.'),
    list: z.array(scannerEntrySchema).min(1).max(100).optional().describe('Per-scanner overrides instead of count.'),
    name: z
      .string()
      .regex(NAME_TEMPLATE_RE, 'letters, digits, . _ - and the placeholders {fleet} {region} {index} {instanceId}')
      .default('{fleet}-{instanceId}')
      .describe('Scanner name template; must be unique per scanner: include {instanceId} or {index}.'),
    instanceType: z
      .union([instanceTypeSchema, z.array(instanceTypeSchema).min(1)])
      .default('m5.xlarge')
      .describe('Instance type, or a list tried in order on InsufficientInstanceCapacity.'),
    volume: volumeSchema.prefault({}),
    subnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id such as subnet-0abc1234'))
      .min(1)
      .optional()
      .describe("Subnets to spread scanners over; the default VPC's subnets when omitted."),
  })
  .strict()
  .superRefine((s, ctx) => {
    const template = s.name;
    if (!template.includes('{instanceId}') && !template.includes('{index}')) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'the name template must contain {instanceId} or {index} so every scanner gets a unique name',
      });
    }
  });

const amiSchema = z
  .union([
    z.object({ id: z.string().regex(/^ami-[0-9a-f]{8,17}$/, 'an AMI id such as ami-0abc1234') }).strict(),
    z
      .object({
        productCode: z.string().regex(/^[a-z0-9]{10,30}$/).default(BYOL_PRODUCT_CODE),
        owner: z.string().regex(/^\d{12}$/).default(MARKETPLACE_OWNER_ID),
      })
      .strict(),
  ])
  .default({ productCode: BYOL_PRODUCT_CODE, owner: MARKETPLACE_OWNER_ID })
  .describe('Pinned AMI id, or the newest image with this Marketplace product code.');

const proxySchema = z
  .object({
    host: hostSchema,
    port: portSchema,
    username: z.string().regex(SAFE_USER_RE).optional(),
    password: storedSecretSourceSchema.optional().describe('Proxy password source (never the password itself).'),
    agent: z.string().regex(/^[A-Za-z0-9 ._/()-]{1,128}$/).optional(),
  })
  .strict();

const linkSchema = z
  .object({
    method: z
      .enum(['bootstrap', 'preauthorized-json', 'standalone'])
      .default('bootstrap')
      .describe('bootstrap: user-data script runs nessuscli managed link; preauthorized-json: JSON user-data of the pre-authorized AMI; standalone: activation code, no Tenable link.'),
    awsScanner: z.boolean().default(false).describe('Adds --aws-scanner (pre-authorized features, Nessus ≥ 10.2).'),
    key: linkingKeySourceSchema.default({ from: 'tenable-api' }),
    embedInUserData: z
      .boolean()
      .default(false)
      .describe('Opt-in: put the linking key itself into user-data (readable with ec2:DescribeInstanceAttribute).'),
    groups: z.array(z.string().min(1).max(255)).default([]).describe('Scanner groups joined through the API once linked.'),
    proxy: proxySchema.optional(),
    activationCode: storedSecretSourceSchema.optional().describe('Standalone activation code source.'),
  })
  .strict();

const networkSchema = z
  .object({
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/).optional(),
    allowUiFrom: z.array(cidrSchema).default([]).describe('CIDRs allowed to reach the web UI (8834). None by default.'),
    allowSshFrom: z.array(cidrSchema).default([]).describe('CIDRs allowed to reach SSH (22). None by default.'),
    publicIp: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('auto: a public IP only in subnets that route to an internet gateway.'),
  })
  .strict();

const scanSchema = z
  .object({
    egress: z
      .array(
        z.union([
          cidrSchema,
          z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'a security group id such as sg-0abc1234'),
        ]),
      )
      .default([])
      .describe(
        'What the scanners may reach for `scan`: target CIDRs or security group ids. `up` adds an all-traffic outbound rule to each on the fleet security group (which otherwise allows only 443 out). None by default.',
      ),
  })
  .strict();

const keyPairSchema = z
  .union([
    z.enum(['none', 'create']),
    z.object({ import: z.string().min(1).describe('Path to a public key file') }).strict(),
    z.object({ name: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/).describe('Existing key pair name') }).strict(),
  ])
  .default('none');

const accessSchema = z
  .object({
    keyPair: keyPairSchema.describe('none (default; fine for CI) | create | { import: path } | { name: existing }'),
    privateKeyPath: z.string().min(1).optional().describe('Where `create` writes the private key (0400, never overwritten).'),
  })
  .strict();

const iamSchema = z
  .union([
    z.object({ role: z.literal('create') }).strict(),
    z.object({ instanceProfile: z.string().regex(/^[A-Za-z0-9+=,.@_-]{1,128}$/) }).strict(),
  ])
  .default({ role: 'create' })
  .describe('create: a least-privilege role and instance profile named with fleet and region; or an existing instance profile.');

const waitSchema = z
  .object({
    until: z.enum(['linked', 'ready']).default('ready'),
    timeout: durationSchema.default('20m'),
    interval: durationSchema.default('10s'),
  })
  .strict();

const tagsSchema = z
  .record(z.string().regex(TAG_KEY_RE, 'a tag key (1–128 characters)'), z.string().regex(TAG_VALUE_RE, 'a tag value (≤ 256 characters)'))
  .default({})
  .superRefine((tags, ctx) => {
    for (const key of Object.keys(tags)) {
      if (key.toLowerCase().startsWith('aws:') || key.startsWith('nessus-byol:')) {
        ctx.addIssue({ code: 'custom', path: [key], message: `tag keys starting with "aws:" or "nessus-byol:" are reserved` });
      }
    }
  });

export const fleetSchema = z
  .object({
    $schema: z.string().optional().describe('JSON Schema reference (ignored).'),
    version: z.literal(1).describe('Fleet file format version; always 1.'),
    fleet: z
      .string()
      .regex(FLEET_RE, 'lowercase letters, digits and dashes, 1–32 characters, starting and ending with a letter or digit')
      .describe('Fleet name: tag value and name prefix.'),
    region: regionSchema.optional(),
    tenable: tenableSchema.prefault({}),
    scanners: scannersSchema.prefault({}),
    ami: amiSchema,
    link: linkSchema.prefault({}),
    bootstrap: z.object({ osUpdate: z.boolean().default(false) }).strict().prefault({}),
    network: networkSchema.prefault({}),
    access: accessSchema.prefault({}),
    iam: iamSchema,
    wait: waitSchema.prefault({}),
    scan: scanSchema.prefault({}).describe('Scanning with the fleet (`nessus-byol scan`).'),
    tags: tagsSchema,
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.link.method === 'preauthorized-json' && !f.link.embedInUserData) {
      ctx.addIssue({
        code: 'custom',
        path: ['link', 'embedInUserData'],
        message: 'the pre-authorized JSON user-data carries the linking key by nature; set `embedInUserData: true` to accept that',
      });
    }
    if (f.link.method === 'standalone' && !f.link.activationCode) {
      ctx.addIssue({
        code: 'custom',
        path: ['link', 'activationCode'],
        message: '`method: standalone` needs `activationCode: { from: ssm, parameter: … }` (or secretsmanager)',
      });
    }
    if (f.link.method !== 'standalone' && f.link.activationCode) {
      ctx.addIssue({ code: 'custom', path: ['link', 'activationCode'], message: '`activationCode` applies only to `method: standalone`' });
    }
    if (f.scanners.list && f.scanners.count !== 1 && f.scanners.count !== f.scanners.list.length) {
      ctx.addIssue({ code: 'custom', path: ['scanners', 'count'], message: 'give either `count` or `list`, not both' });
    }
    if (f.access.keyPair !== 'create' && f.access.privateKeyPath) {
      ctx.addIssue({ code: 'custom', path: ['access', 'privateKeyPath'], message: '`privateKeyPath` applies only to `keyPair: create`' });
    }
  });

/** The fleet file as written (before defaults). */
export type FleetFileInput = z.input<typeof fleetSchema>;
/** The validated fleet file with defaults applied. */
export type FleetFile = z.output<typeof fleetSchema>;
export type LinkingKeySource = z.output<typeof linkingKeySourceSchema>;
export type StoredSecretSource = z.output<typeof storedSecretSourceSchema>;

export function isCidr(value: string): boolean {
  const [addr, bits, ...rest] = value.split('/');
  if (rest.length > 0 || addr === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) {
    return n <= 32 && addr.split('.').every((o) => Number(o) <= 255 && String(Number(o)) === o);
  }
  if (addr.includes(':') && /^[0-9a-fA-F:]+$/.test(addr)) {
    const groups = addr.split('::');
    if (groups.length > 2) return false;
    const parts = groups.flatMap((g) => (g === '' ? [] : g.split(':')));
    if (parts.some((p) => p.length === 0 || p.length > 4)) return false;
    return n <= 128 && (groups.length === 2 ? parts.length < 8 : parts.length === 8);
  }
  return false;
}

export function isWorldOpen(cidr: string): boolean {
  return cidr === '0.0.0.0/0' || cidr === '::/0';
}

export const KNOWN_REGION_RE = REGION_RE;
