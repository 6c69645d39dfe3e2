import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecurityHubGateway } from '../../adapters/aws/securityhub.js';
import { Importer } from './importer.js';
import type { AsffFinding } from './types.js';

// aws-sdk-client-mock replaces SecurityHubClient#send: Security Hub's FailedFindings and throttling are
// injected here because moto accepts every finding that has a Resources entry.
const hub = mockClient(SecurityHubClient);
afterEach(() => hub.reset());

const finding = (n: number, account = '123456789012') =>
  ({ Id: `us-east-1/i-0123456789abcdef0/${n}/0/tcp`, AwsAccountId: account }) as AsffFinding;
const gateway = (account: string) =>
  new SecurityHubGateway({ region: 'us-east-1', maxAttempts: 1 }, account, async () => ({
    accessKeyId: 'a',
    secretAccessKey: 'b',
  }));
const noSleep = async () => undefined;

function importer(batchSize = 100, concurrency = 2) {
  const gws = new Map<string, SecurityHubGateway>();
  return new Importer((a) => gws.get(a) ?? gws.set(a, gateway(a)).get(a)!, {
    batchSize,
    concurrency,
    sleep: noSleep,
    random: () => 0,
  });
}

describe('Importer', () => {
  it('sends batches of at most batchSize and reports every FailedFindings entry with its code', async () => {
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: AsffFinding[] }) => {
      const bad = input.Findings.filter((f) => f.Id.includes('/7/'));
      return {
        SuccessCount: input.Findings.length - bad.length,
        FailedCount: bad.length,
        FailedFindings: bad.map((f) => ({
          Id: f.Id,
          ErrorCode: 'InvalidInput',
          ErrorMessage: 'Finding does not adhere to ASFF',
        })),
      };
    });
    const imp = importer(100);
    for (let i = 0; i < 250; i++) await imp.add(finding(i));
    await imp.flush();
    const sizes = hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(imp.imported).toBe(249);
    expect(imp.failed).toBe(1);
    expect(imp.failures).toEqual([
      {
        id: 'us-east-1/i-0123456789abcdef0/7/0/tcp',
        account: '123456789012',
        code: 'InvalidInput',
        message: 'Finding does not adhere to ASFF',
      },
    ]);
    expect(imp.failureCodes).toEqual({ InvalidInput: 1 });
  });

  it('counts a FailedCount that the list does not explain', async () => {
    hub.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 1, FailedFindings: [] });
    const imp = importer();
    await imp.add(finding(1));
    await imp.add(finding(2));
    await imp.flush();
    expect([imp.imported, imp.failed]).toEqual([1, 1]);
    expect(imp.failureCodes).toEqual({ Unreported: 1 });
  });

  it('retries a throttled call and throttled findings', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    });
    hub
      .on(BatchImportFindingsCommand)
      .rejectsOnce(throttled)
      .resolvesOnce({
        SuccessCount: 1,
        FailedCount: 1,
        FailedFindings: [{ Id: finding(2).Id, ErrorCode: 'LimitExceeded', ErrorMessage: 'slow down' }],
      })
      .resolvesOnce({ SuccessCount: 1, FailedCount: 0, FailedFindings: [] });
    const imp = importer();
    await imp.add(finding(1));
    await imp.add(finding(2));
    await imp.flush();
    const calls = hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.map((f) => f.Id));
    expect(calls).toEqual([[finding(1).Id, finding(2).Id], [finding(1).Id, finding(2).Id], [finding(2).Id]]);
    expect([imp.imported, imp.failed]).toEqual([2, 0]);
  });

  it('stops calling an account whose Security Hub refuses, counting its findings as failed', async () => {
    hub
      .on(BatchImportFindingsCommand)
      .rejects(
        Object.assign(new Error('Account is not subscribed to AWS Security Hub'), {
          name: 'InvalidAccessException',
          $metadata: { httpStatusCode: 401 },
        }),
      );
    const imp = importer(2, 1);
    for (let i = 0; i < 6; i++) await imp.add(finding(i, '210987654321'));
    await imp.flush();
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
    expect(imp.failed).toBe(6);
    expect(imp.failureCodes).toEqual({ InvalidAccessException: 6 });
    expect(imp.tally.get('210987654321')).toEqual({ findings: 6, imported: 0, failed: 6 });
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    hub.on(BatchImportFindingsCommand).callsFake(async (input: { Findings: unknown[] }) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] };
    });
    const imp = importer(10, 3);
    for (let i = 0; i < 200; i++) await imp.add(finding(i, i % 2 ? '210987654321' : '123456789012'));
    await imp.flush();
    expect(peak).toBe(3);
    expect(imp.imported).toBe(200);
  });
});
