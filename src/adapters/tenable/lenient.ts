import { z } from 'zod';

/**
 * Building blocks for parsing TVM responses leniently: Tenable's types drift between endpoints and
 * releases (`ui_build` is a string in one place and a number in another, `last_connect` is seconds
 * in lists and milliseconds in PUT answers), so each field accepts every form seen in the wild.
 */

/** A number, or a numeric string. */
export const numberish = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

/** A string, or a number rendered as one. */
export const stringish = z.union([z.string(), z.number().transform(String)]);

/** `true`/`1`/`"1"`/`"true"` are true; everything else is false. */
export const boolish = z
  .union([z.boolean(), z.number(), z.string(), z.null()])
  .transform((v) => v === true || v === 1 || v === '1' || v === 'true');

/** An optional field that never fails its whole object: wrong types become `undefined`. */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

/** Values below this are epoch seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_LIMIT = 1e11;

/** Epoch seconds or milliseconds (or a numeric string of either) → milliseconds; null when absent. */
export const epochMs = z
  .union([numberish, z.null(), z.undefined(), z.literal('')])
  .catch(null)
  .transform((v): number | null => {
    if (v === null || v === undefined || v === '' || v <= 0) return null;
    return v < SECONDS_LIMIT ? Math.round(v * 1000) : Math.round(v);
  });
