import type { ResolvedConfig } from '../config/resolve.js';
import type { Observed } from '../core/plan.js';
import { UsageError } from '../core/errors.js';

export async function observeFleet(_config: ResolvedConfig, _deps: { reporter: unknown }): Promise<Observed> {
  throw new UsageError('online plan is not available yet', { hint: 'use --offline' });
}
