import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/cli.js';

/** The GitHub Actions example: valid YAML with the triggers, OIDC permissions and steps the docs promise. */

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: { schedule: Array<{ cron: string }>; workflow_dispatch: { inputs: Record<string, { type: string }> } };
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
}

const load = async () =>
  parse(await readFile(`${REPO_ROOT}examples/github-actions/rebuild-scanners.yml`, 'utf8'), {
    prettyErrors: true,
    strict: true,
  }) as Workflow;

describe('examples/github-actions/rebuild-scanners.yml', () => {
  it('runs on a schedule and by hand', async () => {
    const wf = await load();
    expect(wf.on.schedule[0]!.cron.split(' ')).toHaveLength(5);
    expect(wf.on.workflow_dispatch.inputs.force!.type).toBe('boolean');
  });

  it('asks for an OIDC token and nothing it does not need', async () => {
    const wf = await load();
    expect(wf.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
  });

  it('assumes a role via OIDC, runs rebuild with --yes --json and keeps the JSON even on failure', async () => {
    const steps = Object.values((await load()).jobs)[0]!.steps;
    const creds = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(creds?.with?.['role-to-assume']).toMatch(/\$\{\{ *vars\.AWS_ROLE_ARN *\}\}/);
    expect(creds?.with).not.toHaveProperty('aws-access-key-id');
    const run = steps.find((s) => s.run?.includes('nessus-byol rebuild'));
    expect(run?.run).toMatch(/npx --yes nessus-byol rebuild -f fleet\.yaml --yes --json .*> rebuild-result\.json/);
    expect(run?.env).toMatchObject({
      TIO_ACCESS_KEY: '${{ secrets.TIO_ACCESS_KEY }}',
      TIO_SECRET_KEY: '${{ secrets.TIO_SECRET_KEY }}',
    });
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.path).toBe('rebuild-result.json');
    expect(steps.indexOf(creds!)).toBeLessThan(steps.indexOf(run!));
    expect(steps.indexOf(run!)).toBeLessThan(steps.indexOf(upload!));
  });
});
