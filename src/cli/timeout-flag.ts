import { parseDuration } from '../app/time.js';
import { durationSchema } from '../config/schema.js';
import { UsageError } from '../core/errors.js';

/** `--timeout <duration>` of the commands that wait: checked before anything runs (exit 2). */
export function timeoutFlag(value: string | undefined): { timeoutMs?: number } {
  if (value === undefined || value === '') return {};
  if (!durationSchema.safeParse(value).success) {
    throw new UsageError(`--timeout ${value} is not a duration.`, { hint: 'use e.g. 90s, 20m or 1h' });
  }
  return { timeoutMs: parseDuration(value) };
}
