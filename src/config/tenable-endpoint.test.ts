import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../core/errors.js';
import type { FleetFile } from './schema.js';
import { knownSiteOf, resolveTenable, resolveTenableEndpoint, type EndpointFile } from './tenable-endpoint.js';

const SIM = 'http://127.0.0.1:4010';
const CLOUD = 'https://cloud.tenable.com';
const FED = 'https://fedcloud.tenable.com';

const file = (tenable: FleetFile['tenable'], siteSet = true): EndpointFile => ({
  file: 'fleet.yaml',
  tenable,
  siteSet,
  sitePosition: siteSet ? { line: 3, col: 9 } : undefined,
});
const custom: FleetFile['tenable'] = { site: 'custom', url: 'https://tvm.example.com/', linkHost: 'link.example.com', linkPort: 8443 };

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('resolveTenable: precedence --tenable-url > TIO_URL > NESSUS_BYOL_TENABLE_API_URL > file > default', () => {
  const rows: Array<{ name: string; flag?: string; env?: NodeJS.ProcessEnv; file?: EndpointFile; url: string; source: string; from: RegExp }> = [
    { name: 'nothing set: the commercial cloud', url: CLOUD, source: 'default', from: /^TIO_URL \(not set/ },
    { name: 'a file without tenable.site: the default', file: file({ site: 'cloud' }, false), url: CLOUD, source: 'default', from: /not set/ },
    { name: 'the file: site cloud', file: file({ site: 'cloud' }), url: CLOUD, source: 'tenable.site', from: /^tenable\.site: cloud in fleet\.yaml/ },
    { name: 'the file: site fedramp', file: file({ site: 'fedramp' }), url: FED, source: 'tenable.site', from: /tenable\.site: fedramp in fleet\.yaml/ },
    { name: 'the file: custom url (trailing slash trimmed)', file: file(custom), url: 'https://tvm.example.com', source: 'tenable.url', from: /^tenable\.url in fleet\.yaml/ },
    {
      name: 'the file: custom without url uses the link host',
      file: file({ site: 'custom', linkHost: 'link.example.com' }),
      url: 'https://link.example.com',
      source: 'tenable.url',
      from: /tenable\.linkHost in fleet\.yaml/,
    },
    { name: 'NESSUS_BYOL_TENABLE_API_URL beats the file', env: { NESSUS_BYOL_TENABLE_API_URL: `${SIM}/` }, file: file({ site: 'cloud' }), url: SIM, source: 'NESSUS_BYOL_TENABLE_API_URL', from: /alias of TIO_URL/ },
    { name: 'TIO_URL beats the file (site cloud)', env: { TIO_URL: SIM }, file: file({ site: 'cloud' }), url: SIM, source: 'TIO_URL', from: /^TIO_URL$/ },
    { name: 'TIO_URL beats a custom url', env: { TIO_URL: SIM }, file: file(custom), url: SIM, source: 'TIO_URL', from: /^TIO_URL$/ },
    { name: 'TIO_URL without a file', env: { TIO_URL: `${FED}//` }, url: FED, source: 'TIO_URL', from: /^TIO_URL$/ },
    { name: 'TIO_URL equal to the alias', env: { TIO_URL: SIM, NESSUS_BYOL_TENABLE_API_URL: `${SIM}/` }, url: SIM, source: 'TIO_URL', from: /^TIO_URL$/ },
    { name: '--tenable-url beats TIO_URL', flag: 'http://127.0.0.1:9999', env: { TIO_URL: SIM }, file: file({ site: 'cloud' }), url: 'http://127.0.0.1:9999', source: '--tenable-url', from: /^--tenable-url$/ },
    {
      name: '--tenable-url wins even when the two variables disagree (they are not used)',
      flag: SIM,
      env: { TIO_URL: CLOUD, NESSUS_BYOL_TENABLE_API_URL: FED },
      url: SIM,
      source: '--tenable-url',
      from: /^--tenable-url$/,
    },
    { name: 'TIO_URL naming the file\'s own site', env: { TIO_URL: FED }, file: file({ site: 'fedramp' }), url: FED, source: 'TIO_URL', from: /^TIO_URL$/ },
    { name: 'empty TIO_URL counts as unset', env: { TIO_URL: '', NESSUS_BYOL_TENABLE_API_URL: SIM }, url: SIM, source: 'NESSUS_BYOL_TENABLE_API_URL', from: /alias/ },
  ];
  it.each(rows)('$name', (row) => {
    const e = resolveTenableEndpoint({ flag: row.flag, env: row.env ?? {}, file: row.file });
    expect(e.url).toBe(row.url);
    expect(e.source).toBe(row.source);
    expect(e.from).toMatch(row.from);
  });
});

describe('resolveTenable: the link target is the file\'s tenable.site', () => {
  it('a sandbox TIO_URL keeps site cloud (user-data keeps --cloud)', () => {
    const r = resolveTenable({ env: { TIO_URL: SIM }, file: file({ site: 'cloud' }) });
    expect(r.tenable).toEqual({ site: 'cloud' });
    expect(r.endpoint.url).toBe(SIM);
  });

  it('a sandbox TIO_URL and no site in the file: still cloud, not a custom 127.0.0.1 link host', () => {
    expect(resolveTenable({ env: { TIO_URL: SIM }, file: file({ site: 'cloud' }, false) }).tenable).toEqual({ site: 'cloud' });
  });

  it('a known-site TIO_URL picks the site when the file sets none', () => {
    expect(resolveTenable({ env: { TIO_URL: FED }, file: file({ site: 'cloud' }, false) }).tenable).toEqual({ site: 'fedramp' });
    expect(resolveTenable({ flag: FED, env: {}, file: file({ site: 'cloud' }, false) }).tenable).toEqual({ site: 'fedramp' });
  });

  it('a custom site keeps its link host when TIO_URL moves the API elsewhere', () => {
    expect(resolveTenable({ env: { TIO_URL: SIM }, file: file(custom) }).tenable).toEqual(custom);
  });
});

describe('resolveTenable: contradictions are exit 2 naming both sides', () => {
  it('TIO_URL and NESSUS_BYOL_TENABLE_API_URL set to different URLs', () => {
    const e = thrown(() => resolveTenableEndpoint({ env: { TIO_URL: CLOUD, NESSUS_BYOL_TENABLE_API_URL: SIM } }));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    expect(e.message).toContain(`TIO_URL=${CLOUD}`);
    expect(e.message).toContain(`NESSUS_BYOL_TENABLE_API_URL=${SIM}`);
  });

  const conflicts: Array<{ name: string; flag?: string; env?: NodeJS.ProcessEnv; tenable: FleetFile['tenable']; says: string[] }> = [
    { name: 'file fedramp, TIO_URL cloud', env: { TIO_URL: CLOUD }, tenable: { site: 'fedramp' }, says: [`TIO_URL=${CLOUD}`, 'cloud Tenable site', '`site: fedramp`'] },
    { name: 'file cloud, TIO_URL fedramp', env: { TIO_URL: `${FED}/` }, tenable: { site: 'cloud' }, says: [`TIO_URL=${FED}`, 'fedramp Tenable site', '`site: cloud`'] },
    { name: 'file cloud, alias fedramp', env: { NESSUS_BYOL_TENABLE_API_URL: FED }, tenable: { site: 'cloud' }, says: [`NESSUS_BYOL_TENABLE_API_URL=${FED}`, '`site: cloud`'] },
    { name: 'file cloud, --tenable-url fedramp', flag: FED, env: { TIO_URL: SIM }, tenable: { site: 'cloud' }, says: [`--tenable-url ${FED}`, '`site: cloud`'] },
    { name: 'file custom, TIO_URL cloud', env: { TIO_URL: CLOUD }, tenable: custom, says: [`TIO_URL=${CLOUD}`, '`site: custom`', 'link.example.com'] },
    { name: 'file custom, TIO_URL fedramp', env: { TIO_URL: FED }, tenable: custom, says: [`TIO_URL=${FED}`, '`site: custom`'] },
  ];
  it.each(conflicts)('$name', (row) => {
    const e = thrown(() => resolveTenable({ flag: row.flag, env: row.env ?? {}, file: file(row.tenable) }));
    expect(e).toBeInstanceOf(ConfigError);
    const problem = (e as ConfigError).problems[0]!;
    expect(problem).toMatchObject({ file: 'fleet.yaml', line: 3, col: 9, path: 'tenable.site' });
    for (const s of row.says) expect(problem.message).toContain(s);
    expect(problem.hint).toMatch(/site: |unset/);
  });
});

describe('resolveTenable: bad values', () => {
  it.each([
    [{ TIO_URL: 'cloud.tenable.com' }, 'TIO_URL "cloud.tenable.com" is not a URL'],
    [{ NESSUS_BYOL_TENABLE_API_URL: 'ftp://x' }, 'NESSUS_BYOL_TENABLE_API_URL "ftp://x" must start with https://'],
  ])('%o', (env, message) => {
    const e = thrown(() => resolveTenableEndpoint({ env }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain(message);
  });

  it('--tenable-url that is not a URL', () => {
    expect(thrown(() => resolveTenableEndpoint({ flag: 'nope', env: {} })).message).toContain('--tenable-url "nope" is not a URL');
  });
});

describe('knownSiteOf', () => {
  it.each([
    [CLOUD, 'cloud'],
    ['https://CLOUD.tenable.com/', 'cloud'],
    [FED, 'fedramp'],
    [SIM, undefined],
    ['https://tvm.example.com', undefined],
    ['not a url', undefined],
  ])('%s → %s', (url, site) => expect(knownSiteOf(url)).toBe(site));
});
