import { reconcile } from '../../app/reconcile.js';
import { parseDuration } from '../../app/time.js';
import { durationSchema } from '../../config/schema.js';
import { UsageError } from '../../core/errors.js';
import { loadConfigFor } from '../config-loader.js';
import { confirmOrRefuse, createFleetRuntime, requireYesWithoutTty } from '../fleet-runtime.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { plainProgress } from '../progress/plain-progress.js';
import { renderFindings, renderReconcile } from '../render-reconcile.js';
import type { ReconcileFlags } from './reconcile.js';

export async function runReconcile(g: GlobalOptions, flags: ReconcileFlags): Promise<void> {
  const out = outputFor(g);
  if (!durationSchema.safeParse(flags.offThreshold).success) {
    throw new UsageError(`--off-threshold ${flags.offThreshold} is not a duration.`, { hint: 'use e.g. 6h or 24h' });
  }
  if (flags.includeNameMatches && !flags.fix)
    throw new UsageError('--include-name-matches applies only with --fix.', {
      hint: 'add --fix, or drop --include-name-matches',
    });
  const config = await loadConfigFor(g, out);
  if (flags.fix) requireYesWithoutTty(g, out, 'reconcile --fix');
  const rt = createFleetRuntime(config, out);
  const progress = plainProgress(out);
  const askEach = out.interactive && !g.yes;
  try {
    const result = await reconcile(
      {
        config,
        ...rt,
        events: {
          ...progress,
          confirm: async (findings) => {
            out.info(out.style('bold', `reconcile --fix will remove:`));
            out.info(renderFindings(findings, out.style));
            return confirmOrRefuse(g, out, 'Remove these?', 'reconcile --fix');
          },
          ...(askEach
            ? {
                confirmCandidate: async (f) =>
                  confirmOrRefuse(
                    g,
                    out,
                    `Delete Tenable record ${f.name} (${f.recordId}, ${f.status})? It only matches the fleet's name template`,
                    'reconcile --fix',
                  ),
              }
            : {}),
        },
      },
      {
        fix: flags.fix,
        offThresholdMs: parseDuration(flags.offThreshold),
        includeNameMatches: flags.includeNameMatches,
        forceUnlock: flags.forceUnlock,
      },
    );
    if (g.json) out.result({ ...result });
    else out.print(renderReconcile(result, out.style));
  } finally {
    rt.dispose();
  }
}
