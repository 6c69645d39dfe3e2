import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { TenableError, isNessusByolError } from '../core/errors.js';
import { failFromError } from './doctor-aws.js';
import { pass, skip, warn, type CheckResult } from './doctor-types.js';

/**
 * Exactly one `GET /scanners` and one `GET …/key`: the keys are valid, and their user may list
 * scanners (waiting for links) and read the linking key. The key itself is never shown.
 */
export async function checkTenable(
  tenable: () => TenableClient,
  config: ResolvedConfig,
  generic: boolean,
): Promise<CheckResult[]> {
  const keysTitle = 'Tenable API keys';
  const keyTitle = 'Tenable linking key permission';
  if (!generic && config.link.method === 'standalone') {
    return [skip('tenable-keys', keysTitle, 'link.method is standalone: these scanners never link to Tenable')];
  }
  let client: TenableClient;
  try {
    client = tenable();
  } catch (e) {
    return [
      failFromError('tenable-keys', keysTitle, e),
      skip('tenable-linking-key', keyTitle, 'needs Tenable API keys'),
    ];
  }
  const results: CheckResult[] = [];
  try {
    const scanners = await client.listScanners();
    results.push(
      pass(
        'tenable-keys',
        keysTitle,
        `${config.tenableApiUrl} accepted the keys; ${scanners.length} scanner(s) visible`,
      ),
    );
  } catch (e) {
    results.push(failFromError('tenable-keys', keysTitle, e));
    if (e instanceof TenableError && e.status === 401)
      return [...results, skip('tenable-linking-key', keyTitle, 'the keys were rejected')];
  }
  const needsKey = generic || config.link.key.from === 'tenable-api';
  try {
    await client.getLinkingKey();
    results.push(pass('tenable-linking-key', keyTitle, 'the keys may read the linking key'));
  } catch (e) {
    if (!needsKey && isNessusByolError(e)) {
      results.push(
        warn(
          'tenable-linking-key',
          keyTitle,
          `${e.message} (not needed by this fleet: its key comes from ${config.link.key.from})`,
          e.hint,
        ),
      );
    } else {
      results.push(failFromError('tenable-linking-key', keyTitle, e));
    }
  }
  return results;
}
