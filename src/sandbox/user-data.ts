import { gunzipSync } from 'node:zlib';
import { z } from 'zod';

/** The JSON user-data read by the pre-authorized Nessus AMI at first boot. */
const scalar = z.union([z.string(), z.number()]).transform(String);
export const PreauthorizedUserData = z.looseObject({
  name: z.string().min(1),
  key: z.string().min(1),
  iam_role: z.string().optional(),
  aws_scanner: z.boolean().optional(),
  proxy: z
    .looseObject({
      // Both our short names and the `proxy_*` spelling of Tenable's documentation are read.
      host: scalar.optional(),
      proxy: scalar.optional(),
      port: scalar.optional(),
      proxy_port: scalar.optional(),
      username: scalar.optional(),
      proxy_username: scalar.optional(),
      password: scalar.optional(),
      proxy_password: scalar.optional(),
      auth: scalar.optional(),
      proxy_auth: scalar.optional(),
      agent: scalar.optional(),
      proxy_agent: scalar.optional(),
      user_agent: scalar.optional(),
    })
    .optional(),
});
export type PreauthorizedUserData = z.infer<typeof PreauthorizedUserData>;

export type DecodedUserData =
  | { kind: 'none' }
  | { kind: 'script'; text: string }
  | { kind: 'json'; doc: PreauthorizedUserData }
  | { kind: 'unsupported'; reason: string };

/** Decodes DescribeInstanceAttribute's base64 UserData (gzip accepted, as cloud-init does). */
export function decodeUserData(base64: string | undefined): DecodedUserData {
  if (!base64) return { kind: 'none' };
  let bytes = Buffer.from(base64, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const text = bytes.toString('utf8');
  if (text.startsWith('#!')) return { kind: 'script', text };
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch (e) {
      return { kind: 'unsupported', reason: `invalid JSON user-data: ${(e as Error).message}` };
    }
    const parsed = PreauthorizedUserData.safeParse(raw);
    if (!parsed.success) {
      const keys = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
      return { kind: 'unsupported', reason: `JSON user-data lacks valid ${keys}` };
    }
    return { kind: 'json', doc: parsed.data };
  }
  if (trimmed === '') return { kind: 'none' };
  return { kind: 'unsupported', reason: 'user-data is neither a #! script nor JSON (MIME multipart is not emulated)' };
}

/** The `nessuscli managed link` argv the pre-authorized AMI runs for its JSON user-data. */
export function preauthorizedLinkArgs(doc: PreauthorizedUserData): string[] {
  const args = ['managed', 'link', `--key=${doc.key}`, `--name=${doc.name}`, '--cloud'];
  if (doc.aws_scanner) args.push('--aws-scanner');
  const p = doc.proxy;
  if (p) {
    const flags: [string, string | undefined][] = [
      ['--proxy-host', p.host ?? p.proxy],
      ['--proxy-port', p.port ?? p.proxy_port],
      ['--proxy-username', p.username ?? p.proxy_username],
      ['--proxy-password', p.password ?? p.proxy_password],
      ['--proxy-auth', p.auth ?? p.proxy_auth],
      ['--proxy-agent', p.agent ?? p.proxy_agent ?? p.user_agent],
    ];
    for (const [flag, value] of flags) if (value !== undefined && value !== '') args.push(`${flag}=${value}`);
  }
  return args;
}
