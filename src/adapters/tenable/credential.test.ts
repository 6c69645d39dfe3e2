import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import { startTenableSimulator, type TenableSimulator } from '../../sandbox/tenable-simulator.js';
import { createTenableClient } from './client.js';
import { clearSetting, parseCreatedUuid, parseCredential, parseUpdateAnswer } from './credential.js';

/** Credential answers modelled on pyTenable's cassettes (test/fixtures/tenable/README.md), through our parsers and the simulator. */

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/tenable', name), 'utf8'));

/** The shape of a JSON value: keys and value types, recursively (arrays by their first element). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  return v === null ? 'null' : typeof v;
}

describe('credential answers as Tenable records them', () => {
  it('GET /credentials/{uuid}: the AWS key id is masked, so it is unknown', () => {
    const c = parseCredential(fixture('credential-aws.json'));
    expect(c).toMatchObject({ name: 'nessus-byol audit', type: 'Amazon AWS' });
    expect(c.settings.access_key_id).toBe('********');
    expect(clearSetting(c.settings, 'access_key_id')).toBeUndefined();
    expect(clearSetting({ access_key_id: 'AKIAEXAMPLE' }, 'access_key_id')).toBe('AKIAEXAMPLE');
  });

  it('POST answers {uuid}; PUT answers {"updated": true}', () => {
    expect(parseCreatedUuid(fixture('credential-created.json'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(parseUpdateAnswer(fixture('credential-put-answer.json'))).toBe(true);
    expect(parseUpdateAnswer({ updated: false })).toBe(false);
    expect(parseUpdateAnswer(undefined)).toBeUndefined();
    expect(parseUpdateAnswer({})).toBeUndefined();
  });
});

describe('the simulator answers like the recordings', () => {
  let sim: TenableSimulator;
  const keys = { accessKey: 'a'.repeat(64), secretKey: 'b'.repeat(64) };
  beforeAll(async () => {
    sim = await startTenableSimulator({ ...keys, linkingKey: 'c'.repeat(64) });
  });
  afterAll(async () => sim?.stop());

  const client = () =>
    createTenableClient({ baseUrl: sim.url, accessKey: new Secret(keys.accessKey), secretKey: new Secret(keys.secretKey), version: 'test', maxRetries: 0 });
  const get = async (path: string) =>
    (await fetch(`${sim.url}${path}`, { headers: { 'X-ApiKeys': `accessKey=${keys.accessKey}; secretKey=${keys.secretKey}` } })).json();

  it('GET /credentials/types declares the AWS fields as the recording does', async () => {
    const recorded = fixture('credential-types.json') as { credentials: Array<{ id: string; types: Array<{ id: string }> }> };
    const served = (await get('/credentials/types')) as typeof recorded;
    const pick = (d: typeof recorded) => d.credentials.find((c) => c.id === 'Cloud Services')!.types.find((t) => t.id === 'Amazon AWS');
    expect(pick(served)).toEqual(pick(recorded));
    expect(shape(served)).toEqual(shape(recorded));
  });

  it('an AWS credential reads back with the recorded fields, both keys masked; PUT answers updated', async () => {
    const c = client();
    const uuid = await c.createCredential({
      name: 'nessus-byol audit',
      description: 'Read-only AWS keys for the nessus-byol audit user',
      type: 'Amazon AWS',
      settings: { access_key_id: 'AKIAEXAMPLEEXAMPLE00', secret_key: new Secret('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY') },
    });
    const body = await get(`/credentials/${uuid}`);
    expect(shape(body)).toEqual(shape(fixture('credential-aws.json')));
    expect((body as { settings: unknown }).settings).toEqual((fixture('credential-aws.json') as { settings: unknown }).settings);
    expect(await c.updateCredential(uuid, { settings: { access_key_id: 'AKIANEW', secret_key: new Secret('s') } })).toBe(true);
  });
});
