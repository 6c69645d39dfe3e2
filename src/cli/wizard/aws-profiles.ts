import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface AwsProfile {
  name: string;
  region?: string;
}

/**
 * Profiles from the shared config files (~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE /
 * AWS_SHARED_CREDENTIALS_FILE), with the region a profile sets. Unreadable files give no profiles.
 */
export async function readAwsProfiles(env: NodeJS.ProcessEnv, home = homedir()): Promise<AwsProfile[]> {
  const configFile = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const [config, credentials] = await Promise.all([readOrEmpty(configFile), readOrEmpty(credentialsFile)]);
  const profiles = new Map<string, AwsProfile>();
  for (const [section, values] of parseIni(config)) {
    const name = section === 'default' ? 'default' : /^profile\s+(.+)$/.exec(section)?.[1]?.trim();
    if (!name) continue; // sso-session, services…
    profiles.set(name, { name, ...(values.region ? { region: values.region } : {}) });
  }
  for (const [section] of parseIni(credentials)) {
    if (!profiles.has(section)) profiles.set(section, { name: section });
  }
  return [...profiles.values()].sort((a, b) => Number(b.name === 'default') - Number(a.name === 'default') || a.name.localeCompare(b.name));
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

export function parseIni(text: string): Array<[string, Record<string, string>]> {
  const out: Array<[string, Record<string, string>]> = [];
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      current = {};
      out.push([section[1]!.trim(), current]);
      continue;
    }
    const kv = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (kv && current && !/^\s/.test(raw)) current[kv[1]!] = kv[2]!.trim();
  }
  return out;
}
