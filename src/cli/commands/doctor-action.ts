import { runDoctor, genericDoctorConfig } from '../../app/doctor.js';
import { createAwsGateways } from '../../app/gateways.js';
import { tenableFromEnv } from '../../app/tenable-from-env.js';
import { regionSchema } from '../../config/schema.js';
import { CheckFailedError, UsageError } from '../../core/errors.js';
import { loadConfigFor } from '../config-loader.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { renderDoctor } from './doctor-render.js';

export async function runDoctorCommand(g: GlobalOptions, withFleet: boolean): Promise<void> {
  const out = outputFor(g);
  const env = process.env;
  let input;
  if (withFleet) {
    const config = await loadConfigFor(g, out);
    input = { config, generic: false, regionKnown: true, env };
  } else {
    const region = g.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
    if (region && !regionSchema.safeParse(region).success) {
      throw new UsageError(`${g.region ? '--region' : 'AWS_REGION'} ${region} is not an AWS region name.`, {
        hint: 'use a name such as us-east-1, eu-west-2 or us-gov-west-1',
      });
    }
    input = {
      config: genericDoctorConfig({ region, profile: g.profile ?? (env.AWS_PROFILE || undefined), env, tenableUrl: g.tenableUrl }),
      generic: true,
      regionKnown: Boolean(region),
      env,
    };
  }
  const { config } = input;
  const report = await runDoctor(
    input,
    {
      aws: () => createAwsGateways({ region: config.region, profile: config.profile }),
      tenable: () =>
        tenableFromEnv(config.tenableEndpoint, env, 'check the Tenable keys and permissions', (m) => out.debug(m)),
    },
    (c) => out.debug(`${c.status} ${c.id}`),
  );
  if (!g.json) out.print(renderDoctor(report, out.style));
  if (!report.ok) {
    const failed = report.checks.filter((c) => c.status === 'fail');
    throw new CheckFailedError(
      `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.title).join(', ')}.`,
      {
        hint: failed[0]?.fix ?? 'see the fix under each failed check',
        data: { target: report.target, checks: report.checks, summary: report.summary },
      },
    );
  }
  out.result({ ...report });
}
