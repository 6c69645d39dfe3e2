import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startImds, type ImdsStandIn } from './imds.js';

let imds: ImdsStandIn;
const id = 'i-0123456789abcdef0';
const other = 'i-0fedcba9876543210';

beforeAll(async () => {
  imds = await startImds();
  imds.register(id, {
    region: 'eu-west-3',
    availabilityZone: 'eu-west-3b',
    instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/nessus',
  });
  imds.register(other, { region: 'us-east-1', availabilityZone: 'us-east-1a' });
});
afterAll(() => imds?.stop());

async function token(instanceId: string, ttl = '21600'): Promise<Response> {
  return fetch(`${imds.baseUrlFor(instanceId)}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': ttl },
  });
}

async function get(instanceId: string, path: string, tok?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${imds.baseUrlFor(instanceId)}/latest/meta-data/${path}`, {
    headers: tok ? { 'X-aws-ec2-metadata-token': tok } : {},
  });
  return { status: res.status, body: await res.text() };
}

describe('IMDSv2 stand-in', () => {
  it('requires a token for every metadata read', async () => {
    expect((await get(id, 'instance-id')).status).toBe(401);
    expect((await get(id, 'instance-id', 'forged')).status).toBe(401);
  });

  it('issues a token only with a valid ttl header, on PUT', async () => {
    const noTtl = await fetch(`${imds.baseUrlFor(id)}/latest/api/token`, { method: 'PUT' });
    expect(noTtl.status).toBe(400);
    expect((await token(id, '0')).status).toBe(400);
    expect((await fetch(`${imds.baseUrlFor(id)}/latest/api/token`)).status).toBe(405);
  });

  it('serves the instance identity with a token', async () => {
    const tok = await (await token(id)).text();
    expect(await get(id, 'instance-id', tok)).toEqual({ status: 200, body: id });
    expect(await get(id, 'placement/region', tok)).toEqual({ status: 200, body: 'eu-west-3' });
    expect(await get(id, 'placement/availability-zone', tok)).toEqual({ status: 200, body: 'eu-west-3b' });
    const info = await get(id, 'iam/info', tok);
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body)).toMatchObject({
      Code: 'Success',
      InstanceProfileArn: expect.stringContaining('nessus'),
    });
  });

  it('keeps instances apart and answers 404 for what does not exist', async () => {
    const tok = await (await token(id)).text();
    expect((await get(other, 'instance-id', tok)).status).toBe(401);
    const otherTok = await (await token(other)).text();
    expect((await get(other, 'iam/info', otherTok)).status).toBe(404);
    expect((await get('i-00000000000000000', 'instance-id', otherTok)).status).toBe(404);
  });

  it('expires tokens after their ttl', async () => {
    const tok = await (await token(id, '1')).text();
    expect((await get(id, 'instance-id', tok)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get(id, 'instance-id', tok)).status).toBe(401);
  });
});
