import { DescribeImagesCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeError } from '../core/errors.js';
import { motoClientConfig } from './aws-env.js';
import {
  BYOL_PRODUCT_CODE,
  MARKETPLACE_OWNER_ID,
  PREAUTHORIZED_PRODUCT_CODE,
  SANDBOX_AMIS,
  prepareMotoRegion,
  sandboxAwsEnv,
  startMoto,
  type MotoServer,
} from './moto.js';

const region = 'us-east-1';
let stateDir: string;
let moto: MotoServer;
let ec2: EC2Client;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'nessus-byol-moto-'));
  moto = await startMoto({ stateDir });
  ec2 = new EC2Client(motoClientConfig(moto.endpoint, region));
});

afterAll(async () => {
  ec2?.destroy();
  await moto?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function imagesByProductCode(code: string): Promise<string[]> {
  const out = await ec2.send(
    new DescribeImagesCommand({ Owners: [MARKETPLACE_OWNER_ID], Filters: [{ Name: 'product-code', Values: [code] }] }),
  );
  return (out.Images ?? []).map((i) => i.ImageId ?? '').sort();
}

describe('startMoto', () => {
  it('listens on loopback and registers the Nessus images by product code', async () => {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(moto.pid).toBeGreaterThan(0);
    expect(await imagesByProductCode(BYOL_PRODUCT_CODE)).toEqual([SANDBOX_AMIS.byol, SANDBOX_AMIS.byolNewer].sort());
    expect(await imagesByProductCode(PREAUTHORIZED_PRODUCT_CODE)).toEqual([SANDBOX_AMIS.preauthorized]);
    const named = await ec2.send(new DescribeImagesCommand({ ImageIds: [SANDBOX_AMIS.byol] }));
    expect(named.Images?.[0]?.Name).toMatch(/^Nessus 10\.8\.3 BYOL-/);
  });

  it('survives a reset (no creation_date in the AMI document)', async () => {
    const res = await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await imagesByProductCode(BYOL_PRODUCT_CODE)).toHaveLength(2);
  });

  it('names the install command when moto_server is missing', async () => {
    const err = await startMoto({ stateDir, command: 'moto_server_does_not_exist' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('MOTO_MISSING');
    expect((err as RuntimeError).hint).toContain('pip install "moto[server]"');
  });
});

describe('prepareMotoRegion', () => {
  it('attaches an internet gateway with a default route, idempotently', async () => {
    const first = await prepareMotoRegion(moto.endpoint, region);
    const second = await prepareMotoRegion(moto.endpoint, region);
    expect(second).toEqual(first);
    const tables = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [first.routeTableId] }));
    const defaults = (tables.RouteTables?.[0]?.Routes ?? []).filter((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    expect(defaults).toHaveLength(1);
    expect(defaults[0]?.GatewayId).toBe(first.internetGatewayId);
  });
});

describe('sandboxAwsEnv', () => {
  it('points the SDK and the CLI at moto with dummy credentials', () => {
    expect(sandboxAwsEnv('http://127.0.0.1:1', 'eu-west-1')).toEqual({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });
});
