import { describe, expect, it } from 'vitest';
import { buildKeyReport, evaluateKey } from './key-report.js';
import { AUDIT_TAG, inactiveSinceTag } from './types.js';

const DAY = 86_400_000;
const now = new Date('2030-06-01T00:00:00Z');
const key = (ageMs: number, status: 'Active' | 'Inactive' = 'Active') => ({
  userName: 'u',
  accessKeyId: 'AKIA1',
  status,
  createdAt: new Date(now.getTime() - ageMs),
});

describe('CIS AWS 1.14 key evaluation', () => {
  it('an active key passes up to exactly 90 days and fails after', () => {
    expect(evaluateKey({ key: key(90 * DAY), lastUsed: {}, userTags: {} }, now, 90, 7 * DAY).result).toBe('PASS');
    const row = evaluateKey({ key: key(90 * DAY + 1000), lastUsed: {}, userTags: {} }, now, 90, 7 * DAY);
    expect(row).toMatchObject({ result: 'FAIL', ageDays: 90, lastUsedAt: null });
  });

  it('inactive keys never fail, and show when they will be deleted', () => {
    const row = evaluateKey(
      {
        key: key(400 * DAY, 'Inactive'),
        lastUsed: {},
        userTags: { [inactiveSinceTag('AKIA1')]: '2030-05-30T00:00:00.000Z' },
      },
      now,
      90,
      7 * DAY,
    );
    expect(row).toMatchObject({
      result: 'INACTIVE',
      inactiveSince: '2030-05-30T00:00:00.000Z',
      deleteAfter: '2030-06-06T00:00:00.000Z',
    });
  });

  it('counts failures and reports last use', () => {
    const r = buildKeyReport(
      [
        {
          key: key(100 * DAY),
          lastUsed: { date: new Date('2030-05-31T00:00:00Z'), service: 'ec2', region: 'us-east-1' },
          userTags: {},
        },
        { key: { ...key(10 * DAY), accessKeyId: 'AKIA2' }, lastUsed: {}, userTags: {} },
      ],
      now,
      90,
      7 * DAY,
    );
    expect(r.failing).toBe(1);
    expect(r.keys[0]).toMatchObject({
      accessKeyId: 'AKIA1',
      lastUsedService: 'ec2',
      rotateBy: '2030-05-22T00:00:00.000Z',
    });
  });

  it('says which key the Tenable credential holds, from the record on the user', () => {
    const tags = { [AUDIT_TAG.tenableKey]: 'AKIA1', [AUDIT_TAG.rotating]: 'AKIA2' };
    const held = evaluateKey({ key: key(DAY), lastUsed: {}, userTags: tags }, now, 90, 7 * DAY);
    const next = evaluateKey({ key: { ...key(0), accessKeyId: 'AKIA2' }, lastUsed: {}, userTags: tags }, now, 90, 7 * DAY);
    expect(held).toMatchObject({ heldByTenable: true, rotationPending: false });
    expect(next).toMatchObject({ heldByTenable: false, rotationPending: true });
  });
});
