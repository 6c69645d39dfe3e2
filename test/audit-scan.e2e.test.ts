import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace } from './helpers/cli.js';
import { jsonOf, startE2eSandbox, type E2eSandbox } from './helpers/sandbox-e2e.js';

// One sandbox for the file; no fleet is needed: the audit scan runs on a Tenable Cloud Sensor.
let e2e: E2eSandbox;
let file: string;

interface SimRequest {
  method: string;
  path: string;
}

interface SimScanView {
  id: number;
  settings: Record<string, unknown>;
  credentials: Array<{ id?: string; type: string; settings?: unknown }>;
  audits: string[];
  launches: number;
  runs: Array<{ debug?: unknown }>;
}

async function simScans(): Promise<SimScanView[]> {
  const r = await fetch(`${e2e.sandbox.simulatorUrl}/_sim/scans`);
  return ((await r.json()) as { scans: SimScanView[] }).scans;
}

async function simRequests(): Promise<SimRequest[]> {
  const r = await fetch(`${e2e.sandbox.simulatorUrl}/_sim/requests`);
  const body = (await r.json()) as { requests?: SimRequest[] } | SimRequest[];
  return Array.isArray(body) ? body : (body.requests ?? []);
}

beforeAll(async () => {
  e2e = await startE2eSandbox();
  file = e2e.fleetFrom('minimal.yaml', (doc) => doc.setIn(['fleet'], 'auditfleet'));
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('audit scan', () => {
  it('without the audit credential exits 1 with the `audit setup` hint', async () => {
    const r = await e2e.cli(['audit', 'scan', '-f', file, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const err = jsonOf(r) as { error: { code: string; hint: string } };
    expect(err.error.code).toBe('AUDIT_CREDENTIAL_MISSING');
    expect(err.error.hint).toMatch(/audit setup/);
  });

  it('after `audit setup`, shows compliance counts, the audit file used and the failed checks', async () => {
    const setup = await e2e.cli(['audit', 'setup', '--json']);
    expect(setup.code, setup.stderr).toBe(0);
    const credentialUuid = (jsonOf(setup) as { credential: { uuid: string } }).credential.uuid;
    const r = await e2e.cli(['audit', 'scan', '-f', file, '--json']);
    expectNoStackTrace(r.stderr);
    expect(r.code, r.stderr).toBe(0);
    const out = jsonOf(r) as {
      status: string;
      credential: { uuid: string };
      audit: { id: string; name: string };
      regions: string[];
      compliance: { passed: number; warning: number; failed: number; failedChecks: Array<{ name: string }> };
    };
    expect(out.status).toBe('completed');
    expect(out.credential.uuid).toBe(credentialUuid);
    expect(out.regions).toEqual(['us-east-1']);
    expect(out.audit.name).toMatch(/CIS Amazon Web Services Foundations/);
    expect(r.stderr).toContain(`audit file: ${out.audit.name}`);
    expect(out.compliance.passed + out.compliance.warning + out.compliance.failed).toBeGreaterThan(0);
    expect(out.compliance.failedChecks.length).toBe(out.compliance.failed > 0 ? out.compliance.failedChecks.length : 0);

    // The credential is referenced by uuid (no embedded key), with the audit file and the cloud sensor.
    const [scan, ...others] = await simScans();
    expect(others).toHaveLength(0);
    expect(scan!.credentials).toEqual([expect.objectContaining({ id: credentialUuid, type: 'Amazon AWS' })]);
    expect(scan!.credentials[0]!.settings).toBeUndefined();
    expect(scan!.audits).toEqual([out.audit.id]);
    expect(scan!.settings.aws_us_east_1).toBe('yes');
  });

  it('a second run edits the same scan (credentials `edit`, not `add`) and --fail-on failed gates', async () => {
    const before = (await simRequests()).length;
    const r = await e2e.cli(['audit', 'scan', '-f', file, '--json', '--fail-on', 'failed']);
    const reqs = (await simRequests()).slice(before);
    expect(reqs.filter((q) => q.method === 'POST' && q.path === '/scans')).toHaveLength(0);
    expect(reqs.some((q) => q.method === 'PUT' && /^\/scans\/\d+$/.test(q.path))).toBe(true);
    // Reconfiguring did not add a second credential (it is `edit`ed, not `add`ed) nor a second scan.
    const scans = await simScans();
    expect(scans).toHaveLength(1);
    expect(scans[0]!.credentials).toHaveLength(1);
    expect(scans[0]!.launches).toBe(2);
    const doc = jsonOf(r) as { ok: boolean; compliance?: { failed: number }; error?: { compliance?: { failed: number } } };
    const failed = doc.compliance?.failed ?? doc.error?.compliance?.failed ?? 0;
    expect(r.code, r.stderr).toBe(failed > 0 ? 5 : 0);
  });

  it('--debug turns on plugin debugging and saves the Scan DB with mode 0600; the password never in argv', async () => {
    const r = await e2e.cli(['audit', 'scan', '-f', file, '--json', '--debug', '--db-out', 'audit.db'], { NESSUS_BYOL_SCAN_DB_PASSWORD: 'correct-horse-battery' });
    expect(r.code, r.stderr).toBe(0);
    const out = jsonOf(r) as { pluginDebugging: boolean; debug: { path: string } };
    expect(out.pluginDebugging).toBe(true);
    expect((await simScans())[0]!.settings.enable_plugin_debugging).toBe('yes');
    expect(statSync(join(e2e.dir, 'audit.db')).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain('correct-horse-battery');
    const noPassword = await e2e.cli(['audit', 'scan', '-f', file, '--debug']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/NESSUS_BYOL_SCAN_DB_PASSWORD/);
  });
});
